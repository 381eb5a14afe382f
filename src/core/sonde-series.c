#include "config.h"

#include "sonde-series.h"
