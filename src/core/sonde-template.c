#include "config.h"

#include "sonde-template.h"
