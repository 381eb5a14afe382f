#include "config.h"

#include "sonde-predicate.h"
