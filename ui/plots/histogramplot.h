#pragma once
// HistogramPlot: the distribution of one filter score (kept part in blue over
// the whole in grey) with the setting's threshold as a vertical line.
// Heavy-tailed scores are drawn on a log10(1 + x) axis labelled in x.
// Clicking the plot proposes that position as the new threshold.

#include "core/pipeline/livedecisions.h"
#include "ui/plots/qcustomplot_wrapper.h"

namespace rs {

class HistogramPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit HistogramPlot(QWidget *parent = nullptr);

    void setHistogram(const LiveDecisions::Histogram &histogram);
    void setThreshold(double value); // score units; moves only the line
    const LiveDecisions::Histogram &histogram() const { return m_histogram; }

Q_SIGNALS:
    void thresholdPicked(double value);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    double toPlot(double x) const;
    double fromPlot(double t) const;

    LiveDecisions::Histogram m_histogram;
    QCPGraph *m_all = nullptr;
    QCPGraph *m_kept = nullptr;
    QCPItemStraightLine *m_line = nullptr;
};

} // namespace rs
