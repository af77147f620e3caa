#include "core/extract/detail/pngdecoder.h"

#include "core/extract/detail/overwhite.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// What the slow path does, which this file reproduces (OpenCV 4.6
// grfmt_png.cpp with IMREAD_UNCHANGED, libpng 1.6.39, then toBgr8 in
// imageprobe.cpp):
//  - gray 1/2/4/8: one channel, low depths scaled to 8 bits; a tRNS chunk is
//    dropped (png_set_strip_alpha kills it), so it is plain gray;
//  - RGB: 3 channels, or 4 with alpha 0 where a pixel equals the tRNS colour;
//  - palette: 3 channels, or 4 with the tRNS alphas (255 past their end);
//  - gray+alpha: gray copied to B, G and R, plus alpha; RGBA: BGRA;
//  - toBgr8 then composites 4 channels onto white and copies 1 to B, G, R.
//  - 16 bits: the same, each sample narrowed to 8 bits as toBgr8 does (16-bit
//    tRNS colour keys are left to OpenCV).
// Everything else (interlacing) is left to OpenCV, as is every input
// where libpng or zlib could fail or warn and drop something. Animated PNGs
// decode as their default image: Debian's libpng has no APNG support and
// skips acTL, fcTL and fdAT as unknown ancillary chunks.

namespace rs::detail {

namespace {

// libpng's default user limits (PNG_USER_WIDTH_MAX, PNG_USER_HEIGHT_MAX):
// larger sides are an error there.
constexpr uint32_t kMaxSide = 1000000;
// OpenCV's CV_IO_MAX_IMAGE_PIXELS: imdecode throws above it.
constexpr uint64_t kMaxPixels = uint64_t(1) << 30;
constexpr uint64_t kMaxInflated = uint64_t(1) << 31;
// libpng's PNG_USER_CHUNK_MALLOC_MAX (Debian's pnglibconf.h).
constexpr uint32_t kMaxChunk = 8000000;

constexpr uint32_t chunkId(const char (&s)[5])
{
    return uint32_t(uint8_t(s[0])) << 24 | uint32_t(uint8_t(s[1])) << 16 | uint32_t(uint8_t(s[2])) << 8
        | uint32_t(uint8_t(s[3]));
}

constexpr uint32_t kIHDR = chunkId("IHDR");
constexpr uint32_t kPLTE = chunkId("PLTE");
constexpr uint32_t kIDAT = chunkId("IDAT");
constexpr uint32_t kIEND = chunkId("IEND");
constexpr uint32_t kTRNS = chunkId("tRNS");

constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

inline uint32_t be32(const unsigned char *p)
{
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

inline uint64_t le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big)
        v = __builtin_bswap64(v);
    return v;
}

struct Png {
    uint32_t width = 0;
    uint32_t height = 0;
    int depth = 0;
    int colorType = 0;
    const unsigned char *palette = nullptr; // PLTE data, 3 bytes an entry
    int paletteSize = 0;
    const unsigned char *trns = nullptr;
    uint32_t trnsSize = 0;
    size_t firstIdat = 0; // offset of the first IDAT chunk
    size_t idatBytes = 0; // all IDAT payloads together
    int idatPieces = 0; // IDAT chunks with a payload
    const unsigned char *onlyIdat = nullptr; // the payload when there is one piece
};

// Bytes of one row's samples, before the filter byte (0 before IHDR).
int channelsOf(const Png &png)
{
    return png.colorType == 2 ? 3 : png.colorType == 4 ? 2 : png.colorType == 6 ? 4 : 1;
}

uint64_t rowBytes(const Png &png)
{
    return (uint64_t(png.width) * uint64_t(channelsOf(png)) * uint64_t(png.depth) + 7) / 8;
}

bool validDepth(int colorType, int depth)
{
    switch (colorType) {
    case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6: return depth == 8 || depth == 16;
    default: return false;
    }
}

// Walks every chunk up to IEND. Refuses whatever libpng would refuse, warn
// about or ignore in a way that changes pixels, and what OpenCV might treat
// differently (APNG, Exif).
bool readChunks(const unsigned char *data, size_t size, Png &png)
{
    if (size < 8 || memcmp(data, kSignature, 8) != 0)
        return false;
    size_t pos = 8;
    bool first = true;
    bool sawPalette = false;
    enum { kBeforeIdat, kInIdat, kAfterIdat } idat = kBeforeIdat;
    for (;;) {
        if (size - pos < 12)
            return false;
        const uint32_t length = be32(data + pos);
        const uint32_t id = be32(data + pos + 4);
        if (length > 0x7fffffffu || size - pos - 12 < length)
            return false;
        // libpng limits chunk sizes ("chunk data is too large") by its
        // user_chunk_malloc_max and, for IDAT, by what the rows could need,
        // differently from chunk to chunk and version to version: leave any
        // chunk above both to it.
        if (length > kMaxChunk && (id != kIDAT || length > uint64_t(png.height) * (rowBytes(png) + 1)))
            return false;
        const unsigned char *body = data + pos + 8;
        for (int i = 0; i < 4; ++i) {
            const unsigned char c = data[pos + 4 + i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                return false;
        }
        if (libdeflate_crc32(0, data + pos + 4, size_t(length) + 4) != be32(body + length))
            return false;
        if (first != (id == kIHDR))
            return false;
        if (id != kIDAT && idat == kInIdat)
            idat = kAfterIdat;

        if (id == kIHDR) {
            if (length != 13)
                return false;
            png.width = be32(body);
            png.height = be32(body + 4);
            png.depth = body[8];
            png.colorType = body[9];
            // compression and filter method 0; interlaced images go to OpenCV
            if (body[10] != 0 || body[11] != 0 || body[12] != 0)
                return false;
            if (png.width == 0 || png.height == 0 || png.width > kMaxSide || png.height > kMaxSide
                || uint64_t(png.width) * png.height > kMaxPixels || !validDepth(png.colorType, png.depth))
                return false;
            first = false;
        } else if (id == kPLTE) {
            // A suggested palette in an RGB(A) image is harmless; in a gray
            // image libpng complains, and anywhere after IDAT it is an error.
            // After a tRNS chunk libpng cancels the transparency.
            if (sawPalette || png.trns || idat != kBeforeIdat || png.colorType == 0 || png.colorType == 4)
                return false;
            const uint32_t limit = png.colorType == 3 ? (1u << png.depth) : 256u;
            if (length == 0 || length % 3 != 0 || length / 3 > limit)
                return false;
            sawPalette = true;
            png.palette = body;
            png.paletteSize = int(length / 3);
        } else if (id == kTRNS) {
            // 16-bit colour keys are compared before the samples are narrowed.
            if (png.trns || idat != kBeforeIdat || png.depth == 16)
                return false;
            switch (png.colorType) {
            case 0:
                if (length != 2)
                    return false;
                break;
            case 2:
                // libpng compares only the low byte of each 16-bit sample;
                // leave out-of-range colours to it.
                if (length != 6 || body[0] != 0 || body[2] != 0 || body[4] != 0)
                    return false;
                break;
            case 3:
                if (!sawPalette || length == 0 || length > uint32_t(png.paletteSize))
                    return false;
                break;
            default: return false; // libpng ignores it next to an alpha channel
            }
            png.trns = body;
            png.trnsSize = length;
        } else if (id == kIDAT) {
            if (idat == kAfterIdat || (png.colorType == 3 && !sawPalette))
                return false;
            if (idat == kBeforeIdat)
                png.firstIdat = pos;
            idat = kInIdat;
            if (length > 0) {
                png.idatBytes += length;
                ++png.idatPieces;
                png.onlyIdat = body;
            }
        } else if (id == kIEND) {
            return idat != kBeforeIdat && length == 0 && png.idatPieces > 0;
        } else if ((id & 0x20000000u) == 0) {
            return false; // an unknown critical chunk: libpng errors
        }
        pos += size_t(length) + 12;
    }
}

// ---------------------------------------------------------------------------
// zlib's inflate is stricter than libdeflate's, and libpng fails the image on
// any error zlib reports while rows are read. libdeflate accepts: HLIT above
// 286 and HDIST above 30, code-length runs past their end, a one-symbol
// precode, the unused codeword of a one-symbol code, length symbols 286/287,
// distance symbols 30/31, an empty distance code used anyway, and distances
// beyond the window the zlib header declares. checkDeflate() walks the stream
// the way zlib would and refuses all of those (and anything else doubtful);
// libdeflate then produces the bytes.

enum class Code { kPrecode, kLitLen, kDist };

// Table entries. Low 6 bits: bits to consume for the symbol, its extra bits
// included (or, with kSubtable, the subtable's index bits). High 16 bits: the
// symbol (or the subtable's offset).
constexpr uint32_t kSubtable = 0x100; // entry points at a subtable
constexpr uint32_t kNoCode = 0x200; // zlib reports an invalid code here
constexpr uint32_t kEndOfBlock = 0x400;
constexpr uint32_t kMatch = 0x800; // a length symbol: a distance follows
constexpr uint32_t kConsume = 0x3f;
constexpr unsigned kLitBits = 10;
constexpr unsigned kDistBits = 8;
constexpr unsigned kPreBits = 7;
constexpr size_t kLitTableSize = (size_t(1) << kLitBits) + 288 * 32;
constexpr size_t kDistTableSize = (size_t(1) << kDistBits) + 32 * 128;

constexpr uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
                                    33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

uint32_t entryFor(Code code, unsigned sym, unsigned len)
{
    switch (code) {
    case Code::kPrecode: return sym << 16 | len;
    case Code::kLitLen:
        if (sym < 256)
            return sym << 16 | len;
        if (sym == 256)
            return sym << 16 | kEndOfBlock | len;
        if (sym <= 285)
            return sym << 16 | kMatch | (len + kLengthExtra[sym - 257]);
        return kNoCode | 1; // 286 and 287: zlib's "invalid literal/length code"
    case Code::kDist:
        if (sym <= 29)
            return sym << 16 | (len + kDistExtra[sym]);
        return kNoCode | 1; // 30 and 31: zlib's "invalid distance code"
    }
    return kNoCode | 1;
}

// Builds a two-level decode table, refusing the codes zlib's inflate_table()
// refuses: over-subscribed ones, and incomplete ones except where zlib allows
// them. The precode must be complete; the literal/length and distance codes
// may also be empty (an error only if used) or a single length-1 codeword,
// which zlib assigns '0', leaving '1' invalid.
bool buildTable(Code code, const uint8_t *lens, unsigned n, unsigned rootBits, uint32_t *table, size_t capacity)
{
    unsigned count[16] = {};
    for (unsigned i = 0; i < n; ++i)
        ++count[lens[i]];
    count[0] = 0;
    unsigned maxLen = 15;
    while (maxLen > 0 && count[maxLen] == 0)
        --maxLen;
    const size_t root = size_t(1) << rootBits;
    if (maxLen == 0) {
        if (code == Code::kPrecode)
            return false;
        for (size_t i = 0; i < root; ++i)
            table[i] = kNoCode | 1;
        return true;
    }
    int left = 1;
    for (unsigned len = 1; len <= 15; ++len) {
        left = (left << 1) - int(count[len]);
        if (left < 0)
            return false; // over-subscribed
    }
    if (left > 0) {
        if (code == Code::kPrecode || maxLen != 1)
            return false;
        unsigned sym = 0;
        while (lens[sym] != 1)
            ++sym;
        const uint32_t entry = entryFor(code, sym, 1);
        for (size_t i = 0; i < root; ++i)
            table[i] = (i & 1) ? (kNoCode | 1) : entry;
        return true;
    }
    unsigned next[16];
    unsigned c = 0;
    for (unsigned len = 1; len <= 15; ++len) {
        c = (c + count[len - 1]) << 1;
        next[len] = c;
    }
    const unsigned subBits = maxLen > rootBits ? maxLen - rootBits : 0;
    if (subBits)
        memset(table, 0, root * sizeof(uint32_t)); // 0: no subtable yet
    size_t used = root;
    for (unsigned sym = 0; sym < n; ++sym) {
        const unsigned len = lens[sym];
        if (len == 0)
            continue;
        const unsigned codeword = next[len]++;
        unsigned rev = 0;
        for (unsigned b = 0; b < len; ++b)
            rev |= ((codeword >> b) & 1) << (len - 1 - b);
        const uint32_t entry = entryFor(code, sym, len);
        if (len <= rootBits) {
            for (size_t i = rev; i < root; i += size_t(1) << len)
                table[i] = entry;
            continue;
        }
        uint32_t &slot = table[rev & (root - 1)];
        if (slot == 0) {
            if (used + (size_t(1) << subBits) > capacity)
                return false;
            slot = uint32_t(used) << 16 | kSubtable | subBits;
            used += size_t(1) << subBits;
        }
        uint32_t *sub = table + (slot >> 16);
        for (size_t i = rev >> rootBits; i < (size_t(1) << subBits); i += size_t(1) << (len - rootBits))
            sub[i] = entry;
    }
    return true;
}

// LSB-first bit reader that reads zero bytes past the end and counts them,
// so that running off the end is noticed when a position is asked for.
class BitReader {
public:
    BitReader(const unsigned char *p, size_t n) : start_(p), next_(p), end_(p + n) {}

    // At least 56 bits in the buffer afterwards.
    void refill()
    {
        if (size_t(end_ - next_) >= 8) [[likely]] {
            // The bytes past `count_` are ORed in again at the same place on
            // the next refill, so loading them early does no harm.
            bits_ |= le64(next_) << count_;
            next_ += (63 - count_) >> 3;
            count_ |= 56;
        } else {
            while (count_ <= 56) {
                if (next_ < end_)
                    bits_ |= uint64_t(*next_++) << count_;
                else
                    ++overrun_;
                count_ += 8;
            }
        }
    }
    uint64_t bits() const { return bits_; }
    void drop(unsigned n)
    {
        bits_ >>= n;
        count_ -= n;
    }
    unsigned take(unsigned n)
    {
        const unsigned v = unsigned(bits_ & ((uint64_t(1) << n) - 1));
        drop(n);
        return v;
    }
    // Skips to the next byte boundary; false if the stream ran off the end.
    bool align(size_t &pos)
    {
        drop(count_ & 7);
        const size_t whole = count_ >> 3;
        if (overrun_ > whole)
            return false;
        pos = size_t(next_ - start_) - (whole - overrun_);
        return true;
    }
    void restart(size_t pos)
    {
        next_ = start_ + pos;
        bits_ = 0;
        count_ = 0;
        overrun_ = 0;
    }

private:
    const unsigned char *start_;
    const unsigned char *next_;
    const unsigned char *end_;
    uint64_t bits_ = 0;
    unsigned count_ = 0;
    size_t overrun_ = 0;
};

struct Tables {
    uint32_t lit[kLitTableSize];
    uint32_t dist[kDistTableSize];
};

const Tables &fixedTables()
{
    static const Tables *fixed = [] {
        auto *t = new Tables;
        uint8_t lens[288 + 32];
        for (int i = 0; i < 144; ++i)
            lens[i] = 8;
        for (int i = 144; i < 256; ++i)
            lens[i] = 9;
        for (int i = 256; i < 280; ++i)
            lens[i] = 7;
        for (int i = 280; i < 288; ++i)
            lens[i] = 8;
        for (int i = 288; i < 320; ++i)
            lens[i] = 5;
        buildTable(Code::kLitLen, lens, 288, kLitBits, t->lit, kLitTableSize);
        buildTable(Code::kDist, lens + 288, 32, kDistBits, t->dist, kDistTableSize);
        return t;
    }();
    return *fixed;
}

inline uint32_t lookup(uint64_t bits, const uint32_t *table, unsigned rootBits)
{
    const uint32_t e = table[bits & ((uint64_t(1) << rootBits) - 1)];
    if (e & kSubtable) [[unlikely]]
        return table[(e >> 16) + ((bits >> rootBits) & ((uint64_t(1) << (e & kConsume)) - 1))];
    return e;
}

// Reads a dynamic block's code lengths and builds its tables the way zlib
// does, refusing where zlib would.
bool readDynamicTables(BitReader &in, Tables &t)
{
    static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    in.refill();
    const unsigned nlen = in.take(5) + 257;
    const unsigned ndist = in.take(5) + 1;
    const unsigned ncode = in.take(4) + 4;
    if (nlen > 286 || ndist > 30)
        return false; // zlib: "too many length or distance symbols"
    uint8_t pre[19] = {};
    for (unsigned i = 0; i < ncode; ++i) {
        in.refill();
        pre[kOrder[i]] = uint8_t(in.take(3));
    }
    uint32_t preTable[1 << kPreBits];
    if (!buildTable(Code::kPrecode, pre, 19, kPreBits, preTable, 1 << kPreBits))
        return false;
    uint8_t lens[286 + 30];
    unsigned have = 0;
    while (have < nlen + ndist) {
        in.refill();
        const uint32_t e = lookup(in.bits(), preTable, kPreBits);
        in.drop(e & kConsume);
        const unsigned sym = e >> 16;
        if (sym < 16) {
            lens[have++] = uint8_t(sym);
            continue;
        }
        unsigned copy;
        uint8_t value = 0;
        if (sym == 16) {
            if (have == 0)
                return false;
            value = lens[have - 1];
            copy = 3 + in.take(2);
        } else if (sym == 17) {
            copy = 3 + in.take(3);
        } else {
            copy = 11 + in.take(7);
        }
        if (have + copy > nlen + ndist)
            return false; // zlib: "invalid bit length repeat"
        memset(lens + have, value, copy);
        have += copy;
    }
    if (lens[256] == 0)
        return false; // zlib: "invalid code -- missing end-of-block"
    return buildTable(Code::kLitLen, lens, nlen, kLitBits, t.lit, kLitTableSize)
        && buildTable(Code::kDist, lens + nlen, ndist, kDistBits, t.dist, kDistTableSize);
}

// One Huffman block's symbols, up to its end-of-block; false past `limit`
// symbols in all. Without `Window`, lengths and distances are skipped over:
// libdeflate checks that each distance stays within the output. With it, they
// are added up to check the window the zlib header declares.
template <bool Window>
bool walkBlock(BitReader &reader, const Tables &t, uint64_t &symbols, uint64_t limit, uint64_t &out, uint64_t window)
{
    BitReader in = reader; // a local copy stays in registers
    uint64_t count = symbols;
    bool ok = false;
    for (;;) {
        // 56 bits cover the longest match: 15 + 5 + 15 + 13.
        in.refill();
        const uint32_t e = lookup(in.bits(), t.lit, kLitBits);
        if (e & (kNoCode | kEndOfBlock)) [[unlikely]] {
            in.drop(e & kConsume);
            ok = !(e & kNoCode);
            break;
        }
        if (++count > limit) [[unlikely]]
            break;
        if (!(e & kMatch)) {
            in.drop(e & kConsume);
            if constexpr (Window)
                ++out;
            continue;
        }
        unsigned length = 0;
        if constexpr (Window) {
            const unsigned sym = (e >> 16) - 257;
            const unsigned codeLen = (e & kConsume) - kLengthExtra[sym];
            length = kLengthBase[sym] + unsigned((in.bits() >> codeLen) & ((1u << kLengthExtra[sym]) - 1));
        }
        in.drop(e & kConsume);
        const uint32_t d = lookup(in.bits(), t.dist, kDistBits);
        if (d & kNoCode) [[unlikely]]
            break;
        if constexpr (Window) {
            const unsigned sym = d >> 16;
            const unsigned codeLen = (d & kConsume) - kDistExtra[sym];
            const uint64_t distance
                = kDistBase[sym] + ((in.bits() >> codeLen) & ((uint64_t(1) << kDistExtra[sym]) - 1));
            if (distance > out || distance > window)
                break;
            out += length;
        }
        in.drop(d & kConsume);
    }
    reader = in;
    symbols = count;
    return ok;
}

// True if zlib (through libpng) would inflate `in` without error, ending
// exactly at the end of `in` with the Adler-32 after it. libdeflate then
// checks the Adler-32's value and that it makes exactly `expected` bytes.
bool checkDeflate(const unsigned char *in, size_t size, uint64_t expected, Tables &dynamic)
{
    if (size < 2 + 2 + 4)
        return false;
    const unsigned cmf = in[0];
    const unsigned flg = in[1];
    if ((cmf & 0x0f) != 8 || (cmf >> 4) > 7 || (cmf << 8 | flg) % 31 != 0 || (flg & 0x20) != 0)
        return false;
    // zlib keeps only the window the header declares; libdeflate looks back
    // up to 32 KiB whatever it says. Only when the image is larger than the
    // window can a distance go past it.
    const uint64_t window = uint64_t(1) << ((cmf >> 4) + 8);
    const bool checkWindow = window < 32768 && expected > window;
    const Tables &fixed = fixedTables();
    BitReader bits(in + 2, size - 2);
    // Each symbol makes at least one byte and takes at least one bit: past
    // either bound the stream is wrong, or the reader is making up zero bits
    // past the end of a truncated one.
    const uint64_t limit = std::min<uint64_t>(expected, uint64_t(size) * 8);
    uint64_t symbols = 0;
    uint64_t out = 0;
    for (;;) {
        bits.refill();
        const unsigned final = bits.take(1);
        const unsigned type = bits.take(2);
        if (type == 0) {
            size_t pos;
            if (!bits.align(pos) || size - 2 - pos < 4)
                return false;
            const unsigned char *p = in + 2 + pos;
            const unsigned len = unsigned(p[0]) | unsigned(p[1]) << 8;
            const unsigned nlen = unsigned(p[2]) | unsigned(p[3]) << 8;
            if (len != (~nlen & 0xffff) || size - 2 - pos - 4 < len)
                return false;
            out += len;
            symbols += len;
            if (out > expected)
                return false;
            bits.restart(pos + 4 + len);
        } else if (type == 3) {
            return false;
        } else {
            const Tables *t = &fixed;
            if (type == 2) {
                if (!readDynamicTables(bits, dynamic))
                    return false;
                t = &dynamic;
            }
            if (!(checkWindow ? walkBlock<true>(bits, *t, symbols, limit, out, window)
                              : walkBlock<false>(bits, *t, symbols, limit, out, window)))
                return false;
        }
        if (final)
            break;
    }
    size_t pos;
    return bits.align(pos) && pos + 4 == size - 2;
}

// ---------------------------------------------------------------------------

// Undoes one row's filter in place; `prev` is the previous row, unfiltered,
// or null for the first row (where it counts as zeros).
template <int Bpp>
void unfilterRowScalar(unsigned char *cur, const unsigned char *prev, size_t n, int filter)
{
    switch (filter) {
    case 1:
        for (size_t i = Bpp; i < n; ++i)
            cur[i] = (unsigned char)(cur[i] + cur[i - Bpp]);
        break;
    case 2:
        if (prev)
            for (size_t i = 0; i < n; ++i)
                cur[i] = (unsigned char)(cur[i] + prev[i]);
        break;
    case 3:
        if (prev) {
            for (size_t i = 0; i < Bpp && i < n; ++i)
                cur[i] = (unsigned char)(cur[i] + (prev[i] >> 1));
            for (size_t i = Bpp; i < n; ++i)
                cur[i] = (unsigned char)(cur[i] + ((cur[i - Bpp] + prev[i]) >> 1));
        } else {
            for (size_t i = Bpp; i < n; ++i)
                cur[i] = (unsigned char)(cur[i] + (cur[i - Bpp] >> 1));
        }
        break;
    case 4:
        if (prev) {
            for (size_t i = 0; i < Bpp && i < n; ++i)
                cur[i] = (unsigned char)(cur[i] + prev[i]);
            for (size_t i = Bpp; i < n; ++i) {
                const int a = cur[i - Bpp];
                const int b = prev[i];
                const int c = prev[i - Bpp];
                const int pa = b > c ? b - c : c - b;
                const int pb = a > c ? a - c : c - a;
                const int pc = (a + b - 2 * c) < 0 ? 2 * c - a - b : a + b - 2 * c;
                const int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
                cur[i] = (unsigned char)(cur[i] + pred);
            }
        } else {
            // Paeth of (a, 0, 0) is a: Sub.
            for (size_t i = Bpp; i < n; ++i)
                cur[i] = (unsigned char)(cur[i] + cur[i - Bpp]);
        }
        break;
    default: break;
    }
}

#if defined(__SSE2__)
// Sub, Average and Paeth chain each pixel to the one before it, which
// defeats auto-vectorisation; with 3 or 4 bytes a pixel, one pixel per SSE2
// register is what libpng's own intel filters do (filter_sse2_intrinsics.c).
// Most screenshots are Paeth-filtered RGB(A), where this is the decoder's
// hottest loop.

inline __m128i load4(const unsigned char *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return _mm_cvtsi32_si128(v);
}

inline __m128i load3(const unsigned char *p)
{
    int32_t v = 0;
    memcpy(&v, p, 3);
    return _mm_cvtsi32_si128(v);
}

template <int Bpp>
inline void storePixel(unsigned char *p, __m128i v)
{
    const int32_t x = _mm_cvtsi128_si32(v);
    memcpy(p, &x, Bpp);
}

// Loads one pixel; for 3-byte pixels a 4-byte load while the row has a byte
// to spare (the extra lane is never stored).
template <int Bpp>
inline __m128i loadPixel(const unsigned char *p, size_t left)
{
    return (Bpp == 4 || left >= 4) ? load4(p) : load3(p);
}

// One pixel of Paeth in 16-bit lanes: raw + predictor(a, b, c). This is
// stb_image's form, which equals the PNG specification's for all 2^24 inputs
// and leaves fewer steps between one pixel and the next:
// t = 3c - a - b; t >= max(a,b) -> min(a,b); t <= min(a,b) -> max(a,b); else c.
inline __m128i paethPixel(__m128i raw, __m128i a, __m128i b, __m128i c)
{
    const __m128i t = _mm_sub_epi16(_mm_sub_epi16(_mm_add_epi16(c, _mm_add_epi16(c, c)), b), a);
    const __m128i lo = _mm_min_epi16(a, b);
    const __m128i hi = _mm_max_epi16(a, b);
    const __m128i useLo = _mm_cmpgt_epi16(hi, t); // not (hi <= t)
    const __m128i t0 = _mm_or_si128(_mm_andnot_si128(useLo, lo), _mm_and_si128(useLo, c));
    const __m128i useHi = _mm_cmpgt_epi16(t, lo); // not (t <= lo)
    const __m128i nearest = _mm_or_si128(_mm_andnot_si128(useHi, hi), _mm_and_si128(useHi, t0));
    return _mm_add_epi8(raw, nearest); // low bytes wrap mod 256, high bytes stay 0
}

// Two consecutive Paeth rows at once, the second one pixel behind: each
// row's chain from pixel to pixel is latency bound, and two chains fill the
// gaps. Row B's b and c are row A's pixels, already in registers.
template <int Bpp>
void unfilterPaethPairSse2(unsigned char *rowA, const unsigned char *prev, unsigned char *rowB, size_t n)
{
    const __m128i zero = _mm_setzero_si128();
    __m128i bA = zero, dA = zero; // row A: pixel above, pixel itself
    __m128i cB = zero, dB = zero; // row B: pixel above-left, pixel itself
    // Pixel 0 of row A.
    bA = _mm_unpacklo_epi8(loadPixel<Bpp>(prev, n), zero);
    dA = paethPixel(_mm_unpacklo_epi8(loadPixel<Bpp>(rowA, n), zero), zero, bA, zero);
    storePixel<Bpp>(rowA, _mm_packus_epi16(dA, dA));
    for (size_t i = Bpp; i < n; i += Bpp) {
        const __m128i cA = bA;
        bA = _mm_unpacklo_epi8(loadPixel<Bpp>(prev + i, n - i), zero);
        const __m128i newA = paethPixel(_mm_unpacklo_epi8(loadPixel<Bpp>(rowA + i, n - i), zero), dA, bA, cA);
        const size_t j = i - Bpp; // row B's pixel: above is dA, above-left is cB
        dB = paethPixel(_mm_unpacklo_epi8(loadPixel<Bpp>(rowB + j, n - j), zero), dB, dA, cB);
        storePixel<Bpp>(rowB + j, _mm_packus_epi16(dB, dB));
        cB = dA;
        dA = newA;
        storePixel<Bpp>(rowA + i, _mm_packus_epi16(dA, dA));
    }
    const size_t j = n - Bpp;
    dB = paethPixel(_mm_unpacklo_epi8(loadPixel<Bpp>(rowB + j, Bpp), zero), dB, dA, cB);
    storePixel<Bpp>(rowB + j, _mm_packus_epi16(dB, dB));
}

template <int Bpp>
void unfilterRowSse2(unsigned char *cur, const unsigned char *prev, size_t n, int filter)
{
    const __m128i zero = _mm_setzero_si128();
    switch (filter) {
    case 1: {
        __m128i d = zero;
        for (size_t i = 0; i < n; i += Bpp) {
            d = _mm_add_epi8(loadPixel<Bpp>(cur + i, n - i), d);
            storePixel<Bpp>(cur + i, d);
        }
        break;
    }
    case 3: {
        const __m128i one = _mm_set1_epi8(1);
        __m128i d = zero;
        for (size_t i = 0; i < n; i += Bpp) {
            const __m128i a = d;
            const __m128i b = loadPixel<Bpp>(prev + i, n - i);
            // _mm_avg_epu8 rounds up where PNG truncates: take the odd bit off.
            __m128i avg = _mm_avg_epu8(a, b);
            avg = _mm_sub_epi8(avg, _mm_and_si128(_mm_xor_si128(a, b), one));
            d = _mm_add_epi8(loadPixel<Bpp>(cur + i, n - i), avg);
            storePixel<Bpp>(cur + i, d);
        }
        break;
    }
    case 4: {
        // 16-bit lanes; a and c start at zero, so the first pixel predicts b.
        __m128i b = zero, d = zero;
        for (size_t i = 0; i < n; i += Bpp) {
            const __m128i c = b;
            b = _mm_unpacklo_epi8(loadPixel<Bpp>(prev + i, n - i), zero);
            d = paethPixel(_mm_unpacklo_epi8(loadPixel<Bpp>(cur + i, n - i), zero), d, b, c);
            storePixel<Bpp>(cur + i, _mm_packus_epi16(d, d));
        }
        break;
    }
    default: unfilterRowScalar<Bpp>(cur, prev, n, filter); break;
    }
}
#endif

template <int Bpp>
void unfilterRow(unsigned char *cur, const unsigned char *prev, size_t n, int filter)
{
#if defined(__SSE2__)
    if constexpr (Bpp >= 3) {
        if (prev && filter != 2) {
            unfilterRowSse2<Bpp>(cur, prev, n, filter);
            return;
        }
    }
#endif
    unfilterRowScalar<Bpp>(cur, prev, n, filter);
}

// False if the row holds something the slow path would not decode the same.
using RowFn = bool (*)(const unsigned char *src, unsigned char *dst, uint32_t width, const void *ctx);

struct Palette {
    unsigned char bgr[256 * 3]; // already composited onto white
    unsigned char invalid[256]; // index past the palette's end
};

// 16-bit samples become 8-bit ones as toBgr8 narrows cv::imdecode's 16-bit
// output: cv::Mat::convertTo(CV_8U, 1.0 / 257), which multiplies in float and
// rounds to nearest even (test_fastdecoders checks all 65,536 values).
const unsigned char *narrowTable()
{
    static const auto table = [] {
        std::array<unsigned char, 65536> t{};
        const float scale = float(1.0 / 257.0);
        for (int v = 0; v < 65536; ++v)
            t[size_t(v)] = static_cast<unsigned char>(std::clamp(std::lrintf(float(v) * scale), 0L, 255L));
        return t;
    }();
    return table.data();
}

// A row of 16-bit big-endian samples narrowed into `buffer`, then converted by
// the 8-bit row function for the same colour type.
struct Narrow16 {
    RowFn inner = nullptr;
    unsigned char *buffer = nullptr; // channels * width bytes
    int channels = 0;
};

bool narrow16Row(const unsigned char *s, unsigned char *d, uint32_t w, const void *ctx)
{
    const auto *n = static_cast<const Narrow16 *>(ctx);
    const unsigned char *table = narrowTable();
    const size_t count = size_t(w) * size_t(n->channels);
    for (size_t i = 0; i < count; ++i)
        n->buffer[i] = table[size_t(s[2 * i]) << 8 | s[2 * i + 1]];
    return n->inner(n->buffer, d, w, nullptr);
}

bool grayRow(const unsigned char *s, unsigned char *d, uint32_t w, const void *)
{
    for (uint32_t x = 0; x < w; ++x, d += 3)
        d[0] = d[1] = d[2] = s[x];
    return true;
}

template <int Depth>
bool lowGrayRow(const unsigned char *s, unsigned char *d, uint32_t w, const void *)
{
    constexpr unsigned kPerByte = 8 / Depth;
    constexpr unsigned kMask = (1u << Depth) - 1;
    constexpr unsigned kScale = 255 / kMask;
    for (uint32_t x = 0; x < w; ++x, d += 3) {
        const unsigned shift = 8 - Depth - (x % kPerByte) * Depth;
        d[0] = d[1] = d[2] = (unsigned char)(((s[x / kPerByte] >> shift) & kMask) * kScale);
    }
    return true;
}

bool rgbRow(const unsigned char *s, unsigned char *d, uint32_t w, const void *)
{
    BgrRows::swapRedBlue(s, d, w);
    return true;
}

bool rgbKeyRow(const unsigned char *s, unsigned char *d, uint32_t w, const void *ctx)
{
    const auto *key = static_cast<const unsigned char *>(ctx); // r, g, b
    for (uint32_t x = 0; x < w; ++x, s += 3, d += 3) {
        if (s[0] == key[0] && s[1] == key[1] && s[2] == key[2]) {
            d[0] = d[1] = d[2] = 255;
        } else {
            d[0] = s[2];
            d[1] = s[1];
            d[2] = s[0];
        }
    }
    return true;
}

bool grayAlphaRow(const unsigned char *s, unsigned char *d, uint32_t w, const void *)
{
    for (uint32_t x = 0; x < w; ++x, s += 2, d += 3) {
        const int a = s[1];
        d[0] = d[1] = d[2] = a == 255 ? s[0] : a == 0 ? 255 : overWhite(s[0], a);
    }
    return true;
}

bool rgbaRow(const unsigned char *s, unsigned char *d, uint32_t w, const void *)
{
    rowOverWhite<2, 1, 0>(s, d, long(w));
    return true;
}

// An index past the palette's end reads as black in libpng, with a warning:
// refuse it rather than rely on that.
template <int Depth>
bool paletteRow(const unsigned char *s, unsigned char *d, uint32_t w, const void *ctx)
{
    const auto *pal = static_cast<const Palette *>(ctx);
    constexpr unsigned kPerByte = 8 / Depth;
    constexpr unsigned kMask = (1u << Depth) - 1;
    unsigned bad = 0;
    for (uint32_t x = 0; x < w; ++x, d += 3) {
        unsigned i;
        if constexpr (Depth == 8)
            i = s[x];
        else
            i = (s[x / kPerByte] >> (8 - Depth - (x % kPerByte) * Depth)) & kMask;
        bad |= pal->invalid[i];
        memcpy(d, pal->bgr + 3 * i, 3);
    }
    return bad == 0;
}

struct DecompressorFree {
    void operator()(libdeflate_decompressor *d) const { libdeflate_free_decompressor(d); }
};

// A buffer a worker reuses from image to image, so that decoding does not
// page in fresh memory for every image. One over kKeptBytes is freed when
// the decode ends instead of being kept for the thread's lifetime.
class ScratchBuffer {
public:
    static constexpr size_t kKeptBytes = size_t(64) << 20;

    // Uninitialised room for n bytes; null when out of memory.
    unsigned char *take(size_t n)
    {
        if (n > m_size) {
            m_data.reset(new (std::nothrow) unsigned char[n]);
            m_size = m_data ? n : 0;
        }
        return m_data.get();
    }
    void endOfDecode()
    {
        if (m_size > kKeptBytes) {
            m_data.reset();
            m_size = 0;
        }
    }

private:
    std::unique_ptr<unsigned char[]> m_data;
    size_t m_size = 0;
};

struct ThreadState {
    std::unique_ptr<libdeflate_decompressor, DecompressorFree> decompressor;
    std::unique_ptr<Tables> tables;
    ScratchBuffer inflated; // the whole zlib stream's output
    ScratchBuffer joined;   // the IDAT chunks' data end to end, when there are several
};

// Ends a decode for `state`'s buffers on every way out.
struct EndOfDecode {
    ThreadState &state;
    ~EndOfDecode()
    {
        state.inflated.endOfDecode();
        state.joined.endOfDecode();
    }
};

// The calling thread's state, its decompressor and tables allocated; false
// when out of memory.
ThreadState *readyThreadState()
{
    thread_local ThreadState state;
    if (!state.decompressor) {
        state.decompressor.reset(libdeflate_alloc_decompressor());
        if (!state.decompressor)
            return nullptr;
    }
    if (!state.tables) {
        state.tables.reset(new (std::nothrow) Tables);
        if (!state.tables)
            return nullptr;
    }
    return &state;
}

} // namespace

void preparePngDecoderThread()
{
    readyThreadState();
}

bool decodePngFast(const unsigned char *data, size_t size, BgrRows &out)
{
    Png png;
    if (!data || !readChunks(data, size, png))
        return false;

    const uint64_t rowSize = rowBytes(png);
    const uint64_t inflatedSize = (rowSize + 1) * png.height;
    if (inflatedSize > kMaxInflated)
        return false;

    ThreadState *ready = readyThreadState();
    if (!ready)
        return false;
    ThreadState &state = *ready;
    const EndOfDecode end{state};

    const unsigned char *zdata = png.onlyIdat;
    if (png.idatPieces > 1) {
        unsigned char *joined = state.joined.take(png.idatBytes);
        if (!joined)
            return false;
        size_t pos = png.firstIdat;
        size_t at = 0;
        while (be32(data + pos + 4) == kIDAT) {
            const uint32_t length = be32(data + pos);
            memcpy(joined + at, data + pos + 8, length);
            at += length;
            pos += size_t(length) + 12;
        }
        zdata = joined;
    }

    if (!checkDeflate(zdata, png.idatBytes, inflatedSize, *state.tables))
        return false;

    // Whole-buffer inflate: the rows are then unfiltered in place. Each
    // worker keeps its buffer from image to image (up to a size), since
    // fresh memory costs a page fault per 4 KiB on its first write.
    unsigned char *raw = state.inflated.take(size_t(inflatedSize));
    if (!raw)
        return false;
    size_t inUsed = 0;
    size_t outUsed = 0;
    if (libdeflate_zlib_decompress_ex(state.decompressor.get(), zdata, png.idatBytes, raw, size_t(inflatedSize),
                                      &inUsed, &outUsed)
            != LIBDEFLATE_SUCCESS
        || inUsed != png.idatBytes || outUsed != inflatedSize)
        return false;

    // The per-row conversion for this colour type and depth.
    Palette palette;
    unsigned char key[3];
    RowFn convert = nullptr;
    const void *ctx = nullptr;
    switch (png.colorType) {
    case 0:
        convert = png.depth == 8 ? grayRow
            : png.depth == 4     ? lowGrayRow<4>
            : png.depth == 2     ? lowGrayRow<2>
                                 : lowGrayRow<1>;
        break;
    case 2:
        if (png.trns) {
            key[0] = png.trns[1];
            key[1] = png.trns[3];
            key[2] = png.trns[5];
            convert = rgbKeyRow;
            ctx = key;
        } else {
            convert = rgbRow;
        }
        break;
    case 3:
        for (int i = 0; i < 256; ++i) {
            unsigned char *e = palette.bgr + 3 * i;
            if (i >= png.paletteSize) {
                e[0] = e[1] = e[2] = 0;
                palette.invalid[i] = 1;
                continue;
            }
            const unsigned char *p = png.palette + 3 * i;
            const int a = uint32_t(i) < png.trnsSize ? png.trns[i] : 255;
            e[0] = overWhite(p[2], a);
            e[1] = overWhite(p[1], a);
            e[2] = overWhite(p[0], a);
            palette.invalid[i] = 0;
        }
        convert = png.depth == 8 ? paletteRow<8>
            : png.depth == 4     ? paletteRow<4>
            : png.depth == 2     ? paletteRow<2>
                                 : paletteRow<1>;
        ctx = &palette;
        break;
    case 4: convert = grayAlphaRow; break;
    case 6: convert = rgbaRow; break;
    default: return false;
    }
    Narrow16 narrow;
    std::vector<unsigned char> narrowed;
    if (png.depth == 16) {
        narrowed.resize(size_t(png.width) * size_t(channelsOf(png)));
        narrow = {png.colorType == 0 ? grayRow : convert, narrowed.data(), channelsOf(png)};
        convert = narrow16Row;
        ctx = &narrow;
    }

    if (!out.begin(int(png.width), int(png.height)))
        return false;
    // An 8-bit RGB row goes out as it is (finishRgbRow): the receiver swaps
    // it, or has no need to.
    const bool rgbAsIs = convert == rgbRow;
    const auto emitRow = [&](uint32_t y, const unsigned char *samples) {
        if (rgbAsIs) {
            out.finishRgbRow(int(y), samples);
            return true;
        }
        if (!convert(samples, out.row(int(y)), png.width, ctx))
            return false;
        out.finishRow(int(y));
        return true;
    };
    const size_t stride = size_t(rowSize) + 1;
    const size_t n = size_t(rowSize);
    const int bpp = std::max(1, channelsOf(png) * png.depth / 8);
    const unsigned char *prev = nullptr;
    for (uint32_t y = 0; y < png.height; ++y) {
        unsigned char *row = raw + size_t(y) * stride;
        const int filter = row[0];
        if (filter > 4)
            return false; // libpng: "bad adaptive filter value"
        unsigned char *cur = row + 1;
#if defined(__SSE2__)
        if (filter == 4 && prev && (bpp == 3 || bpp == 4) && y + 1 < png.height && row[stride] == 4) {
            unsigned char *next = cur + stride;
            if (bpp == 3)
                unfilterPaethPairSse2<3>(cur, prev, next, n);
            else
                unfilterPaethPairSse2<4>(cur, prev, next, n);
            if (!emitRow(y, cur) || !emitRow(y + 1, next))
                return false;
            prev = next;
            ++y;
            continue;
        }
#endif
        switch (bpp) {
        case 1: unfilterRow<1>(cur, prev, n, filter); break;
        case 2: unfilterRow<2>(cur, prev, n, filter); break;
        case 3: unfilterRow<3>(cur, prev, n, filter); break;
        case 4: unfilterRow<4>(cur, prev, n, filter); break;
        case 6: unfilterRowScalar<6>(cur, prev, n, filter); break;
        default: unfilterRowScalar<8>(cur, prev, n, filter); break;
        }
        if (!emitRow(y, cur))
            return false;
        prev = cur;
    }
    return true;
}

} // namespace rs::detail
