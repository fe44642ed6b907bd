/* Serial links: finding ports. omv_rpc_serial_list_ports is the
 * platform's (serial_ports_libserialport.c, serial_ports_win32.c with
 * SetupAPI, or serial_ports_none.c), which tells OpenMV Cams apart by
 * their USB IDs (serial_usb_ids.c); "auto" picks the one attached
 * camera. */
#include <stdlib.h>
#include <string.h>

#include "serial_internal.h"

static omv_rpc_status copy_name(char *name, size_t size, const char *src)
{
    size_t len = strlen(src);
    if (len >= size) {
        return OMV_RPC_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(name, src, len + 1);
    return OMV_RPC_OK;
}

omv_rpc_status omvrpc_serial_pick_openmv(const omv_rpc_port_info *ports, size_t count, char *name,
                                         size_t size, const omv_rpc_log *log)
{
    if ((!ports && count) || !name || !size) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    const omv_rpc_port_info *found = NULL;
    size_t cameras = 0;
    for (size_t i = 0; i < count; i++) {
        if (ports[i].is_openmv) {
            found = found ? found : &ports[i];
            cameras++;
        }
    }
    if (cameras == 0) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "auto: no OpenMV Cam found among %lu serial port(s); plug one in "
                         "or name the port",
                         (unsigned long)count);
        for (size_t i = 0; i < count; i++) {
            omvrpc_link_logf(log, OMV_RPC_LOG_INFO, "auto: seen %s (%04x:%04x %s)", ports[i].name,
                             ports[i].usb_vid, ports[i].usb_pid, ports[i].description);
        }
        return OMV_RPC_ERR_NO_DEVICE;
    }
    if (cameras > 1) {
        omvrpc_link_logf(
            log, OMV_RPC_LOG_ERROR,
            "auto: %lu OpenMV Cams found; name the port to use:", (unsigned long)cameras);
        for (size_t i = 0; i < count; i++) {
            if (ports[i].is_openmv) {
                omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                                 "auto: candidate %s (%04x:%04x %s, serial %s)", ports[i].name,
                                 ports[i].usb_vid, ports[i].usb_pid, ports[i].description,
                                 ports[i].serial_number);
            }
        }
        return OMV_RPC_ERR_AMBIGUOUS;
    }
    omv_rpc_status st = copy_name(name, size, found->name);
    if (st == OMV_RPC_OK) {
        omvrpc_link_logf(log, OMV_RPC_LOG_INFO, "auto: using %s (%04x:%04x %s)", found->name,
                         found->usb_vid, found->usb_pid, found->description);
    }
    return st;
}

static omv_rpc_status find_openmv(char *name, size_t size, const omv_rpc_log *log)
{
    if (!name || !size) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    omv_rpc_port_info *ports = NULL;
    size_t count = 0;
    omv_rpc_status st = omv_rpc_serial_list_ports(&ports, &count);
    if (st == OMV_RPC_ERR_UNSUPPORTED) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                         "auto: this build cannot list serial ports (no libserialport); "
                         "name the port");
    }
    if (st != OMV_RPC_OK) {
        return st;
    }
    st = omvrpc_serial_pick_openmv(ports, count, name, size, log);
    omv_rpc_serial_free_ports(ports);
    return st;
}

omv_rpc_status omv_rpc_serial_find_openmv(char *name, size_t size)
{
    return find_openmv(name, size, NULL);
}

omv_rpc_status omvrpc_serial_resolve_port(const char *port, char *name, size_t size,
                                          const omv_rpc_log *log)
{
    if (!port || !*port || !name || !size) {
        if (port && !*port) {
            omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                             "the serial port name is empty (give a port such as "
                             "/dev/ttyACM0 or COM3, or \"auto\")");
        }
        return OMV_RPC_ERR_INVALID_ARG;
    }
    if (strcmp(port, "auto") == 0) {
        return find_openmv(name, size, log);
    }
    omv_rpc_status st = copy_name(name, size, port);
    return st == OMV_RPC_ERR_BUFFER_TOO_SMALL ? OMV_RPC_ERR_INVALID_ARG : st;
}

void omv_rpc_serial_free_ports(omv_rpc_port_info *ports)
{
    free(ports);
}
