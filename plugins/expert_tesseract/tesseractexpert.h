#pragma once
// One Tesseract OCR worker: owns a TessBaseAPI (Tesseract is not
// thread-safe), so one instance serves one thread at a time. The engine is
// initialised lazily on the first analyze() and reused afterwards.
//
// analyze(): converts the region to grey, runs the text-likeness test (mode
// auto: no text-like content -> no findings, in ~10 ms/MP), picks the
// upscale factor, OCRs overlapping tiles at that scale and merges them (see
// ocrlayout.h). Findings: kind "ocr", level "word" and "line", box in
// whole-image pixels, text (UTF-8 from Tesseract, trimmed), confidence 0..1.

#include "core/generate/iexpert.h"
#include "plugins/expert_tesseract/ocrsettings.h"

#include <memory>

namespace tesseract {
class TessBaseAPI;
}

namespace rs {

struct TextLikeness;

class TesseractExpert final : public IExpert {
public:
    explicit TesseractExpert(OcrSettings settings);
    ~TesseractExpert() override;

    Result<Findings> analyze(const QImage &image, const QRect &region = {}) override;

    // Tiles OCR'd since construction (for the benchmark's tiles/s).
    qint64 tilesProcessed() const { return m_tiles; }

    // The upscale factor analyze() uses for text of this measured size.
    static double autoScale(const TextLikeness &text);

private:
    Status ensureEngine();

    OcrSettings m_settings;
    std::unique_ptr<tesseract::TessBaseAPI> m_api;
    qint64 m_tiles = 0;
};

} // namespace rs
