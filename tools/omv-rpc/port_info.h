/* omv-rpc: what `ports` says about a port beyond the library's list: the
 * FILTER match, the board for USB IDs of boards that run OpenMV's firmware,
 * and the USB device release (bcdDevice) where Linux sysfs shows it. With
 * the product string, these are the hints the USB descriptors give about
 * the camera and its firmware. */
#ifndef OMV_RPC_CLI_PORT_INFO_H
#define OMV_RPC_CLI_PORT_INFO_H

#include <stddef.h>

#include <omv_rpc/serial.h>

#define CLI_PORT_SYSFS "/sys"

/* FILTER (NULL: every port) occurs, in any case, in the port's name,
 * description, manufacturer, serial number or "vid:pid"; "openmv" (or a
 * part of it) also keeps every port with an OpenMV Cam's IDs. */
int cli_port_matches(const omv_rpc_port_info *p, const char *filter);

/* "Arduino Portenta H7" and the like, or NULL. */
const char *cli_port_board(const omv_rpc_port_info *p);

/* The USB device release as "2.00", read from
 * SYSFS_ROOT/class/tty/<tty>/device and up to two folders above; "" when
 * not found (or not on Linux). */
void cli_port_usb_release(const omv_rpc_port_info *p, const char *sysfs_root, char *out,
                          size_t size);

#endif
