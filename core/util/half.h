#pragma once
// IEEE 754 binary16 <-> float32 conversions (round to nearest even), written
// out so float16 embedding files need no compiler support for _Float16.

#include <QtGlobal>

#include <cstring>

namespace rs {

inline quint16 floatToHalf(float value)
{
    quint32 x;
    std::memcpy(&x, &value, 4);
    const quint32 sign = (x >> 16) & 0x8000u;
    const int exp = int((x >> 23) & 0xff) - 127 + 15;
    quint32 mant = x & 0x7fffffu;
    if (((x >> 23) & 0xff) == 0xff) // inf / nan
        return quint16(sign | 0x7c00u | (mant ? 0x200u : 0u));
    if (exp >= 31)
        return quint16(sign | 0x7c00u);
    if (exp <= 0) {
        if (exp < -10)
            return quint16(sign);
        mant |= 0x800000u;
        const int shift = 14 - exp;
        quint32 half = mant >> shift;
        const quint32 rem = mant & ((1u << shift) - 1);
        const quint32 halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (half & 1u)))
            ++half;
        return quint16(sign | half);
    }
    quint32 half = sign | (quint32(exp) << 10) | (mant >> 13);
    const quint32 rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u)))
        ++half; // may carry into the exponent, which is still correct
    return quint16(half);
}

inline float halfToFloat(quint16 h)
{
    const quint32 sign = quint32(h & 0x8000u) << 16;
    quint32 exp = (h >> 10) & 0x1fu;
    quint32 mant = h & 0x3ffu;
    quint32 x;
    if (exp == 0) {
        if (mant == 0) {
            x = sign;
        } else {
            exp = 127 - 15 + 1;
            while (!(mant & 0x400u)) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3ffu;
            x = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        x = sign | 0x7f800000u | (mant << 13);
    } else {
        x = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}

} // namespace rs
