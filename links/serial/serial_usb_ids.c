/* Serial links: what a port's USB IDs say. Which boards run OpenMV's
 * firmware (docs/protocol.md section 5), and the IDs and serial number in
 * a Windows device instance ID. Apart from serial_ports.c, which calls
 * the platform's port lister, because the listers call this. */
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
