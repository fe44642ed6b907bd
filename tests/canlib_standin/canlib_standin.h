/*
 * A stand-in for Kvaser's libcanlib, built in the test tree: the CANlib
 * functions the Kvaser link uses, over an in-process bus per channel
 * number (every handle on a channel hears the others), plus controls for
 * the tests (standin_*). The tests load it through the link's real
 * run-time loading path and reach the controls with dlsym on the same
 * library.
 */
#ifndef CANLIB_STANDIN_H
#define CANLIB_STANDIN_H

/* Forget every handle and setting. */
typedef void (*standin_reset_fn)(void);
/* canOpenChannel fails with `err` (negative) from now on; 0 stops that. */
typedef void (*standin_fail_open_fn)(int err);
/* Put a channel's controller bus off (writes time out, canReadStatus says
 * canSTAT_BUS_OFF) or back on. */
typedef void (*standin_set_bus_off_fn)(int channel, int on);
/* The bus parameters last given to canSetBusParams. */
typedef void (*standin_last_params_fn)(long *freq, unsigned int *tseg1, unsigned int *tseg2,
                                       unsigned int *sjw, unsigned int *no_samp);
/* Deliver a frame to every bus-on handle of `channel` (acceptance filters
 * apply), as from another node. Returns 0 or a canERR value. */
typedef int (*standin_inject_fn)(int channel, long id, const void *data, unsigned int dlc,
                                 unsigned int flag);
/* Fault hook for written frames: may change *dlc; non-zero loses it. */
typedef int (*standin_fault)(void *user, long *id, unsigned int *dlc);
typedef void (*standin_set_fault_fn)(standin_fault fn, void *user);
/* Handles open now, and whether canInitializeLibrary ran. */
typedef int (*standin_open_handles_fn)(void);

#endif
