/* Serial links: listing ports with libserialport (Linux, macOS, and
 * Windows where a build of it is found). */
#include <libserialport.h>
#include <stdlib.h>
#include <string.h>

#include "serial_internal.h"

/* Copy a string libserialport may give as NULL, truncating to fit. */
static void copy_field(char *dst, size_t size, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    if (len >= size) {
        len = size - 1;
    }
    if (len) {
        memcpy(dst, src, len);
    }
    dst[len] = '\0';
}

omv_rpc_status omv_rpc_serial_list_ports(omv_rpc_port_info **ports, size_t *count)
{
    if (!ports || !count) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    *ports = NULL;
    *count = 0;
    struct sp_port **list = NULL;
    enum sp_return rc = sp_list_ports(&list);
    if (rc == SP_ERR_MEM) {
        return OMV_RPC_ERR_NO_MEMORY;
    }
    if (rc != SP_OK) {
        return OMV_RPC_ERR_LINK;
    }
    size_t n = 0;
    while (list[n]) {
        n++;
    }
    omv_rpc_port_info *out = calloc(n ? n : 1, sizeof *out);
    if (!out) {
        sp_free_port_list(list);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        struct sp_port *p = list[i];
        omv_rpc_port_info *info = &out[i];
        copy_field(info->name, sizeof info->name, sp_get_port_name(p));
        copy_field(info->description, sizeof info->description, sp_get_port_description(p));
        if (sp_get_port_transport(p) == SP_TRANSPORT_USB) {
            int vid = 0, pid = 0;
            info->is_usb = 1;
            if (sp_get_port_usb_vid_pid(p, &vid, &pid) == SP_OK) {
                info->usb_vid = (uint16_t)vid;
                info->usb_pid = (uint16_t)pid;
            }
            copy_field(info->serial_number, sizeof info->serial_number, sp_get_port_usb_serial(p));
            copy_field(info->manufacturer, sizeof info->manufacturer,
                       sp_get_port_usb_manufacturer(p));
            info->is_openmv = omv_rpc_serial_is_openmv_usb_id(info->usb_vid, info->usb_pid);
        }
    }
    sp_free_port_list(list);
    *ports = out;
    *count = n;
    return OMV_RPC_OK;
}
