/* Serial links: finding ports. omv_rpc_serial_list_ports is the
 * platform's (serial_ports_libserialport.c, serial_ports_win32.c with
 * SetupAPI, or serial_ports_none.c); OpenMV Cams are told apart by their
 * USB IDs (docs/protocol.md section 5); "auto" picks the one attached
 * camera. */
#include <stdlib.h>
#include <string.h>

#include "serial_internal.h"

typedef struct usb_id {
    uint16_t vid, pid;
} usb_id;

/* Every product under OpenMV's own vendor ID is a camera. */
#define OPENMV_VID 0x37C5u

/* Other boards that run OpenMV's firmware, by exact vendor:product. */
static const usb_id openmv_boards[] = {
    {0x1209, 0xABD1}, /* the first OpenMV Cam */
    {0x2341, 0x045B}, /* Arduino Portenta H7 */
    {0x2341, 0x045F}, /* Arduino Nicla Vision */
    {0x2341, 0x0466}, /* Arduino Giga */
    {0x2341, 0x015A}, /* Arduino Nano 33 BLE Sense */
    {0x2341, 0x015E}, /* Arduino Nano RP2040 Connect */
    {0x2E8A, 0x0005}, /* Raspberry Pi Pico */
};

int omv_rpc_serial_is_openmv_usb_id(uint16_t vid, uint16_t pid)
{
    if (vid == OPENMV_VID) {
        return 1;
    }
    for (size_t i = 0; i < sizeof openmv_boards / sizeof openmv_boards[0]; i++) {
        if (openmv_boards[i].vid == vid && openmv_boards[i].pid == pid) {
            return 1;
        }
    }
    return 0;
}

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

/* The 4 hex digits after `key` in `id`; -1 when absent. */
static long hex4_after(const char *id, const char *key)
{
    const char *p = strstr(id, key);
    if (!p) {
        return -1;
    }
    p += strlen(key);
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

int omvrpc_serial_usb_from_device_id(const char *id, omv_rpc_port_info *info)
{
    if (!id || !info) {
        return 0;
    }
    long vid = hex4_after(id, "VID_"), pid = hex4_after(id, "PID_");
    if (vid < 0 || pid < 0) {
        return 0;
    }
    info->is_usb = 1;
    info->usb_vid = (uint16_t)vid;
    info->usb_pid = (uint16_t)pid;
    info->is_openmv = omv_rpc_serial_is_openmv_usb_id(info->usb_vid, info->usb_pid);
    info->serial_number[0] = '\0';
    /* USB\VID_v&PID_p\SERIAL: Windows makes up a last part with '&' in it
     * when the device has no serial number (or is one function of a
     * composite device, ...&MI_00\...). FTDIBUS\VID_v+PID_p+SERIAL\0000:
     * FTDI's driver puts the serial in the second part. */
    const char *start = NULL, *end = NULL;
    const char *first = strchr(id, '\\');
    const char *second = first ? strchr(first + 1, '\\') : NULL;
    if (strncmp(id, "FTDIBUS\\", 8) == 0 && first) {
        const char *plus = strchr(first + 1, '+');
        plus = plus ? strchr(plus + 1, '+') : NULL;
        if (plus) {
            start = plus + 1;
            end = second ? second : start + strlen(start);
        }
    } else if (second && !strchr(second + 1, '&') && !strchr(second + 1, '\\')) {
        start = second + 1;
        end = start + strlen(start);
    }
    if (start && end > start) {
        size_t len = (size_t)(end - start);
        if (len >= sizeof info->serial_number) {
            len = sizeof info->serial_number - 1;
        }
        memcpy(info->serial_number, start, len);
        info->serial_number[len] = '\0';
    }
    return 1;
}
