/* Port listing: USB IDs and serial numbers read from Windows device
 * instance IDs (the SetupAPI listing's parser, portable so that every
 * build checks it), and a listing that is well formed wherever the build
 * can list ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "omv_rpc/serial.h"
#include "serial/serial_internal.h"

static omv_rpc_port_info parsed(const char *id, int expect_usb)
{
    omv_rpc_port_info info;
    memset(&info, 0, sizeof info);
    assert_int_equal(omvrpc_serial_usb_from_device_id(id, &info), expect_usb);
    return info;
}

static void test_openmv_cam(void **state)
{
    (void)state;
    omv_rpc_port_info i = parsed("USB\\VID_37C5&PID_9204\\000000000010", 1);
    assert_int_equal(i.usb_vid, 0x37C5);
    assert_int_equal(i.usb_pid, 0x9204);
    assert_true(i.is_usb);
    assert_true(i.is_openmv);
    assert_string_equal(i.serial_number, "000000000010");
}

static void test_composite_function_has_no_serial(void **state)
{
    (void)state;
    omv_rpc_port_info i = parsed("USB\\VID_2341&PID_045B&MI_00\\6&2A8D1C5&0&0000", 1);
    assert_int_equal(i.usb_vid, 0x2341);
    assert_int_equal(i.usb_pid, 0x045B);
    assert_true(i.is_openmv); /* Arduino Portenta H7 */
    assert_string_equal(i.serial_number, "");
}

static void test_ftdi_bus(void **state)
{
    (void)state;
    omv_rpc_port_info i = parsed("FTDIBUS\\VID_0403+PID_6001+A50285BIA\\0000", 1);
    assert_int_equal(i.usb_vid, 0x0403);
    assert_int_equal(i.usb_pid, 0x6001);
    assert_false(i.is_openmv);
    assert_string_equal(i.serial_number, "A50285BIA");
}

static void test_lower_case_hex(void **state)
{
    (void)state;
    omv_rpc_port_info i = parsed("USB\\VID_37c5&PID_abd1\\X", 1);
    assert_int_equal(i.usb_vid, 0x37C5);
    assert_int_equal(i.usb_pid, 0xABD1);
}

static void test_not_usb(void **state)
{
    (void)state;
    omv_rpc_port_info i = parsed("ACPI\\PNP0501\\1", 0);
    assert_false(i.is_usb);
    parsed("USB\\VID_37C5&PID_92\\1", 0); /* too few digits */
    parsed("USB\\VID_37C5\\1", 0);
    assert_int_equal(omvrpc_serial_usb_from_device_id(NULL, &i), 0);
}

static void test_listing_is_well_formed(void **state)
{
    (void)state;
    omv_rpc_port_info *ports = NULL;
    size_t count = 99;
    omv_rpc_status st = omv_rpc_serial_list_ports(&ports, &count);
    if (st == OMV_RPC_ERR_UNSUPPORTED) {
        assert_null(ports);
        assert_int_equal(count, 0);
        return; /* this build cannot list ports */
    }
    assert_int_equal(st, OMV_RPC_OK);
    assert_non_null(ports);
    for (size_t i = 0; i < count; i++) {
        assert_true(ports[i].name[0] != '\0');
        assert_true(memchr(ports[i].name, '\0', sizeof ports[i].name) != NULL);
#ifdef _WIN32
        assert_true(strncmp(ports[i].name, "COM", 3) == 0);
#endif
        if (ports[i].is_openmv) {
            assert_true(ports[i].is_usb);
        }
    }
    omv_rpc_serial_free_ports(ports);
    assert_int_equal(omv_rpc_serial_list_ports(NULL, &count), OMV_RPC_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openmv_cam), cmocka_unit_test(test_composite_function_has_no_serial),
        cmocka_unit_test(test_ftdi_bus),   cmocka_unit_test(test_lower_case_hex),
        cmocka_unit_test(test_not_usb),    cmocka_unit_test(test_listing_is_well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
