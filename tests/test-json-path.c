#include "config.h"
#include "sonde-test-util.h"
int main (int argc, char *argv[]) { sonde_test_init (&argc, &argv); return g_test_run (); }
