#include <zstd.h>
#include <malloc.h>
