#pragma once
// CLIP's image preprocessing, reproduced without Python:
//
//   Resize(S, BICUBIC) -> CenterCrop(S) -> RGB -> ToTensor (/255) -> Normalize(mean, std)
//
// as torchvision applies it to a PIL image (OpenAI CLIP and open_clip both
// use this). The resize is PIL's: a separable bicubic filter (a = -0.5) whose
// support widens by the downscale factor (PIL antialiases when shrinking),
// fixed-point weights with 22 fraction bits, horizontal pass first, then the
// vertical pass, each rounded and clipped to 8 bits. OpenCV's INTER_CUBIC
// (a = -0.75, no antialiasing) is NOT used: shrinking a 640x480 test card to
// 224 it is off by up to 153 grey levels, where this code is within 1 level
// of PIL's order of work (figures: tests/bench/RESULTS.md, test_clippreprocess).
//
// Thread-safety: stateless apart from its configuration; run() may be called
// from any number of threads at once.

#include <QImage>

#include <array>

namespace rs {

struct ClipPreprocessConfig {
    int imageSize = 224; // S: output is S x S
    std::array<float, 3> mean{0.48145466f, 0.4578275f, 0.40821073f};
    std::array<float, 3> std{0.26862954f, 0.26130258f, 0.27577711f};
};

class ClipPreprocess {
public:
    explicit ClipPreprocess(const ClipPreprocessConfig &config = {});

    const ClipPreprocessConfig &config() const { return m_config; }
    // Floats one image occupies in the output: 3 * S * S.
    qsizetype floatsPerImage() const { return qsizetype(3) * m_config.imageSize * m_config.imageSize; }

    // Writes floatsPerImage() floats, channel-major (C, H, W) RGB, into out.
    // Any QImage format is accepted (converted to RGB888 first; alpha is
    // dropped, the caller composites). A null image writes zeros and returns false.
    bool run(const QImage &image, float *out) const;

    // The first two steps, exposed for tests: shorter side to `size` with
    // PIL's bicubic (the longer side becomes int(size * long / short), as
    // torchvision computes it), then the centred size x size crop with
    // torchvision's offsets (round half to even). Returns RGB888.
    static QImage resizeShorterSide(const QImage &image, int size);
    static QImage centerCrop(const QImage &image, int size);
    // PIL's bicubic resize of an RGB888 image to exactly width x height.
    static QImage resizeBicubic(const QImage &rgb888, int width, int height);

private:
    ClipPreprocessConfig m_config;
};

} // namespace rs
