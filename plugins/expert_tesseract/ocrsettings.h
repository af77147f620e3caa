#pragma once
// Settings of the Tesseract OCR expert, parsed once by the factory from the
// recipe's QVariantMap and copied into every expert instance.
//
// Keys (all optional):
//   "mode"           "auto" (default): OCR only images that are at least
//                    min_side pixels on both sides and look text-like (see
//                    textlikeness.h); "on": every image.
//   "min_confidence" 0..1, default 0.6: words below it are dropped (0.6
//                    keeps 95% of the words on GIMP dialogs and drops 70% of
//                    the garbage read from a noise-filtered photo).
//   "scale"          "auto" (default) or a number 1..4: the factor tiles are
//                    upscaled by before Tesseract sees them. "auto" picks
//                    1..3 from the measured character height.
//   "tile_size"      tile side in upscaled pixels, default 2048 (256..8192).
//   "min_side"       default 32 px: auto mode skips smaller images.
//   "language"       default "eng".
//   "tessdata"       folder that holds <language>.traineddata; default
//                    $TESSDATA_PREFIX (or its tessdata/ subfolder), then
//                    /usr/share/tesseract-ocr/5/tessdata.

#include "core/util/result.h"

#include <QString>
#include <QVariantMap>

namespace rs {

struct OcrSettings {
    enum class Mode { Auto, On };

    Mode mode = Mode::Auto;
    double minConfidence = 0.6;
    double scale = 0; // 0 = auto
    int tileSize = 2048;
    int minSide = 32;
    QString language = QStringLiteral("eng");
    QString tessdataDir; // resolved folder holding <language>.traineddata

    // Parses and validates the options; resolves and checks the traineddata
    // file. Errors name the offending key or the missing file.
    static Result<OcrSettings> fromOptions(const QVariantMap &options);

    // Folders searched for traineddata, in order (for error messages too).
    static QStringList tessdataCandidates(const QString &explicitDir);

    // Short text that changes whenever results would change.
    QString signature() const;
};

} // namespace rs
