#include "config.h"

#include "sonde-redact.h"
