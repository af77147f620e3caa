#pragma once
// Factory of Tesseract OCR experts ("tesseract-ocr", kind "ocr").
//
// initialize() parses the options (see ocrsettings.h), checks that the
// language data exists and loads it once to be sure it is usable; create()
// then hands out independent experts, one per worker thread (each owns its
// own TessBaseAPI; Tesseract shares nothing between them).
// Thread-safety: initialize() before any create(); create() is thread-safe.

#include "core/generate/iexpert.h"
#include "plugins/expert_tesseract/ocrsettings.h"

#include <QMutex>

namespace rs {

class TesseractExpertFactory final : public IExpertFactory {
public:
    QString name() const override { return QStringLiteral("tesseract-ocr"); }
    QString kind() const override { return QStringLiteral("ocr"); }
    QString version() const override;
    Status initialize(const QVariantMap &options) override;
    // nullptr before a successful initialize().
    std::unique_ptr<IExpert> create() override;

private:
    mutable QMutex m_mutex;
    bool m_ready = false;
    OcrSettings m_settings;
};

} // namespace rs
