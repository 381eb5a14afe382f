#include "config.h"

#include "sonde-profile-store.h"
