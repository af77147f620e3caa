#include "plugins/expert_tesseract/tesseractexpert.h"

#include "plugins/expert_tesseract/ocrlayout.h"
#include "plugins/expert_tesseract/textlikeness.h"

#include <QPainter>

#include <omp.h>
#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace rs {

namespace {

// Tesseract reads best when capital letters are roughly 20-30 px tall
// (measured on GIMP dialog screenshots, see RESULTS.md); character blobs of
// 11 px UI text are ~7-9 px tall.
constexpr double kTargetBlobHeight = 22.0;
constexpr double kMaxAutoScale = 3.0;

QImage toGray(const QImage &image, const QRect &area)
{
    QImage part = image.copy(area);
    if (part.hasAlphaChannel()) {
        // The interface promises alpha composited on white; do it here too so
        // that transparent pixels do not turn black.
        QImage flat(part.size(), QImage::Format_RGB888);
        flat.fill(Qt::white);
        QPainter p(&flat);
        p.drawImage(0, 0, part);
        p.end();
        part = flat;
    }
    return part.convertToFormat(QImage::Format_Grayscale8);
}

bool hasLetterOrDigit(const QString &s)
{
    return std::any_of(s.cbegin(), s.cend(), [](QChar c) { return c.isLetterOrNumber(); });
}

} // namespace

TesseractExpert::TesseractExpert(OcrSettings settings) : m_settings(std::move(settings)) {}

TesseractExpert::~TesseractExpert()
{
    if (m_api)
        m_api->End();
}

double TesseractExpert::autoScale(const TextLikeness &text)
{
    if (text.medianHeight <= 0)
        return 2.0; // nothing measured (mode "on" on a non-text-like image): a middle ground
    return std::clamp(std::round(kTargetBlobHeight / text.medianHeight), 1.0, kMaxAutoScale);
}

Status TesseractExpert::ensureEngine()
{
    if (m_api)
        return {};
    auto api = std::make_unique<tesseract::TessBaseAPI>();
    const QByteArray dir = m_settings.tessdataDir.toUtf8();
    const QByteArray lang = m_settings.language.toUtf8();
    if (api->Init(dir.constData(), lang.constData(), tesseract::OEM_LSTM_ONLY) != 0)
        return makeError(ErrorCode::Internal, QStringLiteral("Tesseract could not load language %1 from %2")
                                                  .arg(m_settings.language, m_settings.tessdataDir));
    // Sparse text: screenshots and photos have scattered labels, not pages.
    api->SetPageSegMode(tesseract::PSM_SPARSE_TEXT);
    // Tiles carry no resolution; without this Tesseract warns on every tile.
    api->SetVariable("user_defined_dpi", "300");
    // Tesseract's progress chatter ("Detected 74 diacritics") is not ours to print.
    api->SetVariable("debug_file", "/dev/null");
    m_api = std::move(api);
    return {};
}

Result<Findings> TesseractExpert::analyze(const QImage &image, const QRect &region)
{
    if (image.isNull())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("null image (not decoded?)"));
    const QRect area = region.isNull() ? image.rect() : region.intersected(image.rect());
    if (area.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("region %1,%2 %3x%4 lies outside the %5x%6 image")
                             .arg(region.x()).arg(region.y()).arg(region.width()).arg(region.height())
                             .arg(image.width()).arg(image.height()));
    // Nothing legible fits in fewer than 4 pixels either way.
    if (area.width() < 4 || area.height() < 4)
        return Findings{};
    if (m_settings.mode == OcrSettings::Mode::Auto
        && (area.width() < m_settings.minSide || area.height() < m_settings.minSide))
        return Findings{};

    try {
        const QImage gray = toGray(image, area);
        if (gray.isNull())
            return makeError(ErrorCode::Internal, QStringLiteral("could not convert the image to grey (out of memory?)"));
        const TextLikeness text = measureTextLikeness(gray);
        if (m_settings.mode == OcrSettings::Mode::Auto && !text.isTextLike())
            return Findings{};

        if (Status s = ensureEngine(); !s)
            return s.error();
        // Debian's Tesseract is built with OpenMP and asks for fixed teams
        // (num_threads(4) clauses, which omp_set_num_threads cannot lower).
        // Parallelism comes from one expert per worker thread; OpenMP teams on
        // top of that made a 300×350 dialog 4-5× slower in wall time on the
        // 2-core VM (2.1 s vs 0.4 s). With no active levels allowed every
        // parallel region started from this thread runs on it alone; since
        // GCC 11 libgomp keeps this setting per thread, so FAISS/OpenBLAS
        // teams on other threads are untouched. The previous value is
        // restored on return, so a pool thread that later runs FAISS or
        // OpenBLAS work keeps its OpenMP teams.
        struct OmpLevelsGuard {
            int saved = omp_get_max_active_levels();
            OmpLevelsGuard() { omp_set_max_active_levels(0); }
            ~OmpLevelsGuard() { omp_set_max_active_levels(saved); }
        } ompGuard;

        const double scale = m_settings.scale > 0 ? m_settings.scale : autoScale(text);
        const int tileSide = std::max(64, int(m_settings.tileSize / scale));
        // Words up to ~10 characters must fit in the overlap (see ocrlayout.h).
        const int overlap = std::clamp(int(10 * std::max(text.medianHeight, 8.0)), 96, tileSide / 3);
        const QVector<OcrTile> tiles = ocrTiles(gray.size(), tileSide, overlap);

        QVector<OcrWord> words;
        cv::Mat src(gray.height(), gray.width(), CV_8UC1, const_cast<uchar *>(gray.constBits()), size_t(gray.bytesPerLine()));
        // A mostly dark image (GIMP's dark theme, light-on-dark UI) is read
        // as dark text on light: Tesseract's LSTM reads that polarity, and
        // otherwise retries each low-confidence line inverted, which cost
        // a sixth of the ground stage on the demo for the same words
        // (RESULTS.md, "Ground stage"). Mixed pages keep the per-line retry.
        cv::Mat inverted;
        if (cv::mean(src)[0] < 128) {
            cv::bitwise_not(src, inverted);
            src = inverted;
        }
        cv::Mat scaled;
        for (int t = 0; t < tiles.size(); ++t) {
            const QRect r = tiles[t].rect;
            const cv::Mat crop = src(cv::Rect(r.x(), r.y(), r.width(), r.height()));
            if (scale != 1.0)
                cv::resize(crop, scaled, cv::Size(), scale, scale, cv::INTER_CUBIC);
            else
                scaled = crop.clone();
            m_api->SetImage(scaled.data, scaled.cols, scaled.rows, 1, int(scaled.step));
            if (m_api->Recognize(nullptr) != 0)
                return makeError(ErrorCode::Internal, QStringLiteral("Tesseract failed on tile %1").arg(t));
            ++m_tiles;

            std::unique_ptr<tesseract::ResultIterator> it(m_api->GetIterator());
            if (!it)
                continue;
            int line = -1;
            do {
                if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE))
                    ++line;
                if (it->Empty(tesseract::RIL_WORD))
                    continue;
                std::unique_ptr<char[]> utf8(it->GetUTF8Text(tesseract::RIL_WORD));
                const QString word = QString::fromUtf8(utf8.get()).trimmed();
                const double conf = std::clamp(it->Confidence(tesseract::RIL_WORD) / 100.0, 0.0, 1.0);
                if (word.isEmpty() || !hasLetterOrDigit(word) || conf < m_settings.minConfidence)
                    continue;
                int l = 0, top = 0, right = 0, bottom = 0;
                if (!it->BoundingBox(tesseract::RIL_WORD, &l, &top, &right, &bottom))
                    continue;
                OcrWord w;
                w.box = QRectF(r.x() + l / scale, r.y() + top / scale, (right - l) / scale, (bottom - top) / scale);
                w.text = word;
                w.confidence = conf;
                w.tile = t;
                w.line = line;
                words.push_back(w);
            } while (it->Next(tesseract::RIL_WORD));
            m_api->Clear();
        }
        return assembleOcrFindings(tiles, words, QPointF(area.topLeft()));
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QStringLiteral("OCR failed: %1").arg(QString::fromUtf8(e.what())));
    } catch (...) {
        return makeError(ErrorCode::Internal, QStringLiteral("OCR failed with an unknown exception"));
    }
}

} // namespace rs
