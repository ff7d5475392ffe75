"""Fills an initialised (empty) repository's index with N random chunk ids, for
bench/index: real index files, sealed with the repository's key as the Swift code
seals them (docs/repository-format.md), naming packs of 1,000 entries; each pack a
sparse file of the size its entries imply, since loading the index reads only the
pack listing. Nothing else in the repository refers to these chunks.

    python index-fill.py REPOSITORY CHUNKS PASSWORD
"""
import base64, hashlib, json, os, struct, sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

repository, chunks, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
PER_PACK, PER_INDEX, CHUNK_BYTES = 1000, 100, 1024


def master_encryption_key():
    folder = os.path.join(repository, "keys")
    key = json.loads(open(os.path.join(folder, os.listdir(folder)[0]), "rb").read().split(b"\n")[0])
    kdf = key["kdf"]
    wrapping = hashlib.scrypt(password.encode(), salt=base64.b64decode(kdf["salt"]), n=kdf["n"], r=kdf["r"],
                              p=kdf["p"], maxmem=1 << 30, dklen=32)
    wrapped = base64.b64decode(key["wrapped"])
    secret = AESGCM(wrapping).decrypt(wrapped[:12], wrapped[12:], b"datamancy key v1")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"datamancy-backup encryption").derive(secret)


def seal(key, plain, context):
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plain, context)


key = master_encryption_key()
overhead = 12 + 16  # nonce and tag of a sealed header
made = 0
while made < chunks:
    packs = []
    for _ in range(PER_INDEX):
        if made >= chunks:
            break
        count = min(PER_PACK, chunks - made)
        header = bytearray(b"DMPK" + bytes([1]) + struct.pack("<I", count))
        for i in range(count):
            header += os.urandom(32) + struct.pack("<III", i * CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES)
        pack_id = os.urandom(32).hex()
        size = count * CHUNK_BYTES + overhead + len(header) + 4
        folder = os.path.join(repository, "data", pack_id[:2])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, pack_id), "wb") as f:
            f.truncate(size)
        packs.append((pack_id, bytes(header)))
        made += count
    plain = bytearray(b"DMIX" + bytes([1]) + struct.pack("<I", len(packs)))
    for pack_id, header in packs:
        plain += bytes.fromhex(pack_id) + struct.pack("<I", len(header)) + header
    sealed = seal(key, bytes(plain), b"datamancy index v1")
    name = hashlib.sha256(sealed).hexdigest()
    os.makedirs(os.path.join(repository, "index"), exist_ok=True)
    with open(os.path.join(repository, "index", name), "wb") as f:
        f.write(sealed)
print(f"{made} chunks indexed in {repository}", file=sys.stderr)
