#include "config.h"

#include "sonde-json-path.h"
