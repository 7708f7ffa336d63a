/* testrun_int: private definitions shared by testrun.c and testgen.c. */
#ifndef WARD_GOVERN_TESTRUN_INT_H
#define WARD_GOVERN_TESTRUN_INT_H

#include "govern/testrun.h"

/* Appends a zeroed case to the run (the array may move). */
wtcase *testrun_push_case(wtrun *t);

#endif
