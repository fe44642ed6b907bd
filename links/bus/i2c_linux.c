/* Linux i2c-dev backend for the I2C master link: one ioctl(I2C_RDWR)
 * message per transaction, or read()/write() after ioctl(I2C_SLAVE) on
 * adapters that cannot do plain I2C messages. Also holds the errno
 * mapping that the spidev backend shares. */
#include "bus_internal.h"

#ifdef __linux__
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* i2c-dev refuses messages longer than this (drivers/i2c/i2c-dev.c). */
#define I2CDEV_MAX_MESSAGE 8192u

typedef struct i2c_dev {
    int fd;
    int use_rdwr;       /* I2C_RDWR; else I2C_SLAVE + read/write */
    uint16_t slave_set; /* the address given to I2C_SLAVE, 0: none yet */
    omv_rpc_log log;
} i2c_dev;

omv_rpc_status omvrpc_bus_transfer_status(int err)
{
    switch (err) {
    case EREMOTEIO: /* no acknowledge: the slave is not listening (yet) */
    case ENXIO:
    case EIO:
    case ETIMEDOUT:
    case EAGAIN:
        return OMV_RPC_ERR_NOT_READY;
    case EMSGSIZE:
        return OMV_RPC_ERR_TOO_LARGE;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

omv_rpc_status omvrpc_bus_open_status(int err)
{
    switch (err) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
    case ENOTTY: /* a file that is not the expected device */
    case ENOTDIR:
        return OMV_RPC_ERR_NO_SUCH_PORT;
    case EACCES:
    case EPERM:
        return OMV_RPC_ERR_PERMISSION;
    case EBUSY:
        return OMV_RPC_ERR_BUSY;
    case EINVAL:
        return OMV_RPC_ERR_UNSUPPORTED;
    default:
        return OMV_RPC_ERR_LINK;
    }
}

static omv_rpc_status too_large(i2c_dev *d, size_t len)
{
    omvrpc_link_logf(&d->log, OMV_RPC_LOG_ERROR,
                     "i2c: a %zu-byte transaction is over i2c-dev's limit of %u bytes", len,
                     I2CDEV_MAX_MESSAGE);
    return OMV_RPC_ERR_TOO_LARGE;
}

static omv_rpc_status rdwr(i2c_dev *d, uint16_t address, uint16_t flags, uint8_t *buf, size_t len)
{
    struct i2c_msg msg = {address, flags, (uint16_t)len, buf};
    struct i2c_rdwr_ioctl_data data = {&msg, 1};
    return ioctl(d->fd, I2C_RDWR, &data) < 0 ? omvrpc_bus_transfer_status(errno) : OMV_RPC_OK;
}

static omv_rpc_status set_slave(i2c_dev *d, uint16_t address)
{
    if (d->slave_set != address) {
        if (ioctl(d->fd, I2C_SLAVE, (unsigned long)address) < 0) {
            return omvrpc_bus_open_status(errno);
        }
        d->slave_set = address;
    }
    return OMV_RPC_OK;
}

static omv_rpc_status dev_read(void *ctx, uint16_t address, uint8_t *buf, size_t len)
{
    i2c_dev *d = ctx;
    if (len > I2CDEV_MAX_MESSAGE) {
        return too_large(d, len);
    }
    if (d->use_rdwr) {
        return rdwr(d, address, I2C_M_RD, buf, len);
    }
    omv_rpc_status st = set_slave(d, address);
    if (st != OMV_RPC_OK) {
        return st;
    }
    ssize_t n = read(d->fd, buf, len);
    if (n < 0) {
        return omvrpc_bus_transfer_status(errno);
    }
    return (size_t)n == len ? OMV_RPC_OK : OMV_RPC_ERR_NOT_READY;
}

static omv_rpc_status dev_write(void *ctx, uint16_t address, const uint8_t *buf, size_t len)
{
    i2c_dev *d = ctx;
    if (len > I2CDEV_MAX_MESSAGE) {
        return too_large(d, len);
    }
    if (d->use_rdwr) {
        return rdwr(d, address, 0, (uint8_t *)buf, len); /* the kernel only reads it */
    }
    omv_rpc_status st = set_slave(d, address);
    if (st != OMV_RPC_OK) {
        return st;
    }
    ssize_t n = write(d->fd, buf, len);
    if (n < 0) {
        return omvrpc_bus_transfer_status(errno);
    }
    return (size_t)n == len ? OMV_RPC_OK : OMV_RPC_ERR_NOT_READY;
}

static void dev_close(void *ctx)
{
    i2c_dev *d = ctx;
    close(d->fd);
    free(d);
}

static const omv_rpc_i2c_bus_ops dev_ops = {dev_read, dev_write, dev_close};

omv_rpc_status omv_rpc_i2c_master_open(omv_rpc_link *link, const char *device, uint16_t address,
                                       uint32_t rate, const omv_rpc_log *log)
{
    if (!link || !device || !*device) {
        return OMV_RPC_ERR_INVALID_ARG;
    }
    int fd = open(device, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        omv_rpc_status st = omvrpc_bus_open_status(err);
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "i2c: cannot open %s: %s%s", device, strerror(err),
                         st == OMV_RPC_ERR_PERMISSION
                             ? " (join the i2c group: sudo usermod -aG i2c $USER, then log in "
                               "again)"
                         : st == OMV_RPC_ERR_NO_SUCH_PORT
                             ? " (enable I2C, e.g. raspi-config, and modprobe i2c-dev)"
                             : "");
        return st;
    }
    unsigned long funcs = 0;
    if (ioctl(fd, I2C_FUNCS, &funcs) < 0) {
        omvrpc_link_logf(log, OMV_RPC_LOG_ERROR, "i2c: %s is not an I2C adapter (i2c-dev)", device);
        close(fd);
        return OMV_RPC_ERR_NO_SUCH_PORT;
    }
    i2c_dev *d = calloc(1, sizeof *d);
    if (!d) {
        close(fd);
        return OMV_RPC_ERR_NO_MEMORY;
    }
    d->fd = fd;
    d->use_rdwr = (funcs & I2C_FUNC_I2C) != 0;
    if (log) {
        d->log = *log;
    }
    omvrpc_link_logf(log, OMV_RPC_LOG_INFO,
                     "i2c: %s: the bus clock comes from the device tree (Raspberry Pi: "
                     "dtparam=i2c_arm_baudrate=%u)",
                     device, (unsigned)(rate ? rate : OMV_RPC_I2C_DEFAULT_RATE));
    return omv_rpc_i2c_master_open_bus(link, &dev_ops, d, address, rate, log);
}

#else /* not Linux */

omv_rpc_status omv_rpc_i2c_master_open(omv_rpc_link *link, const char *device, uint16_t address,
                                       uint32_t rate, const omv_rpc_log *log)
{
    (void)link;
    (void)address;
    (void)rate;
    omvrpc_link_logf(log, OMV_RPC_LOG_ERROR,
                     "i2c: %s: i2c-dev exists on Linux only; use omv_rpc_i2c_master_open_bus",
                     device ? device : "?");
    return OMV_RPC_ERR_UNSUPPORTED;
}

#endif
