/*
 * omvrpc links: what the I2C and SPI master links share.
 *
 * Both buses are driven by the master alone, so the slave needs a moment
 * between transactions to get its next buffer ready; both read "nothing"
 * as all-equal bytes (see i2c.h). This header holds the constants common
 * to the two, so that neither link's header depends on the other's.
 */
#ifndef OMV_RPC_BUS_H
#define OMV_RPC_BUS_H

/* The pause before each I2C transaction or SPI transfer (after chip
 * select goes low), in microseconds. */
#define OMV_RPC_BUS_GUARD_US 100u

#endif
