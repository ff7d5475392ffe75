// A minimal consumer of a dump on standard input that does only the per-byte work
// a repository needs (HMAC-SHA-256 chunk ids and zstd level 3) on 2 MiB blocks, on
// one thread, in one of three orders:
//   block     read a whole block, then hash it, then compress it
//   hash      hash each read's bytes as they arrive, compress the block after
//   stream    hash and compress each read's bytes as they arrive
// bench/databases runs it behind pg_dump to show what the order costs the dump.
#define _GNU_SOURCE
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "block";
  const size_t block = 2 << 20, step = 256 << 10;
  int streamHash = strcmp(mode, "block") != 0, streamZstd = strcmp(mode, "stream") == 0;
  fcntl(0, F_SETPIPE_SZ, 1 << 20);  // as datamancy-backup does
  unsigned char *in = malloc(block), *out = malloc(ZSTD_compressBound(block));
  unsigned char key[32] = {1}, mac[32];
  unsigned int macLength;
  ZSTD_CCtx *zstd = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(zstd, ZSTD_c_compressionLevel, 3);
  size_t total = 0, compressed = 0;
  for (;;) {
    HMAC_CTX *hmac = HMAC_CTX_new();
    HMAC_Init_ex(hmac, key, sizeof key, EVP_sha256(), NULL);
    ZSTD_CCtx_reset(zstd, ZSTD_reset_session_only);
    ZSTD_outBuffer output = {out, ZSTD_compressBound(block), 0};
    size_t have = 0;
    while (have < block) {
      ssize_t n = read(0, in + have, streamHash && block - have > step ? step : block - have);
      if (n <= 0) break;
      if (streamHash) HMAC_Update(hmac, in + have, n);
      if (streamZstd) {
        ZSTD_inBuffer input = {in + have, n, 0};
        ZSTD_compressStream2(zstd, &output, &input, ZSTD_e_continue);
      }
      have += n;
    }
    if (!streamHash) HMAC_Update(hmac, in, have);
    HMAC_Final(hmac, mac, &macLength);
    HMAC_CTX_free(hmac);
    if (streamZstd) {
      ZSTD_inBuffer input = {in, 0, 0};
      ZSTD_compressStream2(zstd, &output, &input, ZSTD_e_end);
      compressed += output.pos;
    } else {
      compressed += ZSTD_compressCCtx(zstd, out, ZSTD_compressBound(block), in, have, 3);
    }
    total += have;
    if (have < block) break;
  }
  fprintf(stderr, "%zu bytes, %zu compressed\n", total, compressed);
  return 0;
}
