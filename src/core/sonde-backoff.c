#include "config.h"

#include "sonde-backoff.h"
