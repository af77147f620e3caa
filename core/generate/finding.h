#pragma once
// What an expert saw in an image: one OCR word or line, a face, a quality
// score, a tag. Boxes are in original-image pixels (x, y, width, height);
// whole-image findings (quality, tags) have an empty box.

#include <QJsonObject>
#include <QRectF>
#include <QString>
#include <QVector>

namespace rs {

struct Finding {
    QString kind;        // "ocr", "face", "quality", "tag"
    QString level;       // OCR: "word" | "line"; others: empty
    QRectF box;          // original-image pixels; empty for whole-image findings
    QString text;        // OCR text, tag label, quality verdict ("good", "poor"), "face"
    double confidence = 0; // 0..1 (OCR: Tesseract's confidence / 100; quality: 1 - BRISQUE/100)
    double value = 0;    // a raw score where the kind has one (BRISQUE score, tag similarity)

    QJsonObject toJson() const;
    static Finding fromJson(const QJsonObject &o);
};

using Findings = QVector<Finding>;

} // namespace rs
