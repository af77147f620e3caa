#include "core/util/sha256.h"

// OpenSSL's low-level SHA-256 (SHA256_Init/Update/Final), deprecated since
// 3.0 in favour of EVP but still part of its API, and the same assembly
// (SHA extensions included): EVP_Digest's first call sets up OpenSSL's
// provider machinery and reads openssl.cnf, 2-3 ms of every extract, which
// hashes from its first image on; the low-level calls need none of it
// (first call 0.06 ms; 64 MiB in 39 ms either way).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace rs {

QByteArray sha256Hex(QByteArrayView data)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_CTX context;
    if (SHA256_Init(&context) != 1 || SHA256_Update(&context, data.data(), size_t(data.size())) != 1
        || SHA256_Final(digest, &context) != 1)
        qFatal("OpenSSL could not compute SHA-256"); // only when libcrypto itself is broken
    return QByteArray(reinterpret_cast<const char *>(digest), SHA256_DIGEST_LENGTH).toHex();
}

} // namespace rs
