#include "config.h"

#include "sonde-certificate.h"
