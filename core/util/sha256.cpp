#include "core/util/sha256.h"

#include <openssl/evp.h>

namespace rs {

QByteArray sha256Hex(QByteArrayView data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), size_t(data.size()), digest, &length, EVP_sha256(), nullptr) != 1)
        qFatal("OpenSSL could not compute SHA-256"); // only when libcrypto itself is broken
    return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
}

} // namespace rs
