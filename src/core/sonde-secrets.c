#include "config.h"

#include "sonde-secrets.h"
