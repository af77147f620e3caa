#pragma once
// ThresholdRow: one numeric setting in the threshold panel: its display
// label (tooltip: meaning, key and default), a reset-to-default button, a
// slider over the range the data spans, a spin box over the setting's whole
// allowed range and, for a live (previewable) setting, the score's
// histogram with the threshold line and the kept / dropped counts by reason.
//
// Editing any of them emits valueEdited(); the row never applies anything
// itself. setOutcome() updates plot and counts without emitting.

#include "core/pipeline/livedecisions.h"
#include "core/store/recipe.h"

#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QSlider;
class QToolButton;

namespace rs {

class HistogramPlot;

class ThresholdRow : public QWidget {
    Q_OBJECT
public:
    // live: LiveDecisions previews the key (histogram and counts); else the
    // slider spans the allowed range and no counts are shown.
    ThresholdRow(const SettingDef &def, bool live, QWidget *parent = nullptr);

    QString key() const { return m_def.key; }
    void setValue(const QString &text);  // no signal
    double value() const;
    void setOutcome(const LiveDecisions::Outcome &outcome, const QStringList &reasonNames);
    QSlider *slider() const { return m_slider; }
    QToolButton *resetButton() const { return m_reset; }
    QDoubleSpinBox *spinBox() const { return m_spin; }
    HistogramPlot *plot() const { return m_plot; }
    QString countsText() const;
    const LiveDecisions::Counts &counts() const { return m_last; }

Q_SIGNALS:
    void valueEdited(const QString &key, const QString &value);

private:
    void onSlider(int position);
    void onSpin(double value);
    void placeSlider();
    QString valueText(double v) const;

    SettingDef m_def;
    QLabel *m_title = nullptr;
    QSlider *m_slider = nullptr;
    QDoubleSpinBox *m_spin = nullptr;
    HistogramPlot *m_plot = nullptr;
    QLabel *m_counts = nullptr;
    QToolButton *m_reset = nullptr;
    bool m_log = false;
    LiveDecisions::Counts m_last;
    double m_lo = 0, m_hi = 1; // slider span in plot scale
};

} // namespace rs
