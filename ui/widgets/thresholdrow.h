#pragma once
// ThresholdRow: one numeric filter setting in the threshold panel: its name
// (tooltip: meaning and default), a slider over the range the data spans, a
// spin box over the setting's whole allowed range, the score's histogram
// with the threshold line, and the live kept / dropped counts.
//
// Editing any of them emits valueEdited(); the row never applies anything
// itself. setOutcome() updates plot and counts without emitting.

#include "core/pipeline/livedecisions.h"
#include "core/store/recipe.h"

#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QSlider;

namespace rs {

class HistogramPlot;

class ThresholdRow : public QWidget {
    Q_OBJECT
public:
    explicit ThresholdRow(const SettingDef &def, QWidget *parent = nullptr);

    QString key() const { return m_def.key; }
    void setValue(const QString &text);  // no signal
    double value() const;
    void setOutcome(const LiveDecisions::Outcome &outcome, const QStringList &reasonNames);
    QSlider *slider() const { return m_slider; }
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
    bool m_log = false;
    LiveDecisions::Counts m_last;
    double m_lo = 0, m_hi = 1; // slider span in plot scale
};

} // namespace rs
