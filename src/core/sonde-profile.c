#include "config.h"

#include "sonde-profile.h"
