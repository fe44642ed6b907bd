# I2C and SPI master links: one polled link table (bus_common.c) under the
# I2C and SPI bus tables, with Linux i2c-dev and spidev behind them.
list(APPEND OMV_RPC_LINK_SOURCES bus/bus_common.c bus/i2c_link.c bus/i2c_linux.c
  bus/spi_link.c bus/spi_linux.c)
omvrpc_linux_sources(bus/i2c_linux.c bus/spi_linux.c)
