#include "ui/widgets/thresholdrow.h"

#include "core/store/reasons.h"
#include "ui/plots/histogramplot.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QToolButton>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSlider>

#include <cmath>

namespace rs {

namespace {
constexpr int kSteps = 1000;
double toPlot(double x, bool log) { return log ? std::log10(1.0 + std::max(0.0, x)) : x; }
double fromPlot(double t, bool log) { return log ? std::pow(10.0, t) - 1.0 : t; }
} // namespace

ThresholdRow::ThresholdRow(const SettingDef &def, bool live, QWidget *parent) : QWidget(parent), m_def(def)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 8);
    grid->setVerticalSpacing(2);
    m_title = new QLabel(QStringLiteral("<b>%1</b>").arg((def.label.isEmpty() ? def.key : def.label).toHtmlEscaped()), this);
    m_title->setWordWrap(true);
    const QString tip = QStringLiteral("%1\n%5 · Default: %2 (allowed %3 … %4)")
                            .arg(def.meaning, def.defaultValue)
                            .arg(def.min, 0, 'g', 10)
                            .arg(def.max, 0, 'g', 10)
                            .arg(def.key);
    m_reset = new QToolButton(this);
    m_reset->setText(QStringLiteral("↺"));
    m_reset->setAutoRaise(true);
    m_reset->setToolTip(QStringLiteral("Reset to the default (%1)").arg(def.defaultValue));
    m_reset->setAccessibleName(QStringLiteral("reset ") + def.key);
    m_title->setToolTip(tip);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, kSteps);
    m_slider->setToolTip(tip);
    m_slider->setAccessibleName(def.key);
    m_spin = new QDoubleSpinBox(this);
    m_spin->setRange(def.min, def.max);
    m_spin->setDecimals(def.kind == SettingDef::Kind::Int ? 0 : 3);
    m_spin->setSingleStep(def.step > 0 ? def.step : def.kind == SettingDef::Kind::Int ? 1 : 0.01);
    m_spin->setToolTip(tip);
    m_spin->setKeyboardTracking(false);
    m_spin->setMinimumWidth(100);
    m_plot = new HistogramPlot(this);
    m_plot->setToolTip(tip + QStringLiteral("\nBlue: kept, grey: dropped (by any filter). Click to move the threshold."));
    m_counts = new QLabel(live ? QStringLiteral("—") : QStringLiteral("<small>Takes effect when the stage runs again.</small>"), this);
    m_counts->setWordWrap(true);
    m_counts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *titleLine = new QHBoxLayout;
    titleLine->addWidget(m_title, 1);
    titleLine->addWidget(m_reset);
    grid->addLayout(titleLine, 0, 0, 1, 2);
    grid->addWidget(m_slider, 1, 0);
    grid->addWidget(m_spin, 1, 1);
    grid->addWidget(m_plot, 2, 0, 1, 2);
    grid->addWidget(m_counts, 3, 0, 1, 2);
    grid->setColumnStretch(0, 1);

    connect(m_slider, &QSlider::valueChanged, this, &ThresholdRow::onSlider);
    connect(m_spin, &QDoubleSpinBox::valueChanged, this, &ThresholdRow::onSpin);
    connect(m_plot, &HistogramPlot::thresholdPicked, this, [this](double v) { m_spin->setValue(v); });
    if (!live) {
        // No data range to span: the slider covers the allowed range.
        m_plot->setVisible(false);
        m_lo = def.min;
        m_hi = def.max;
    }
    setValue(def.defaultValue);
}

QString ThresholdRow::valueText(double v) const
{
    return m_def.kind == SettingDef::Kind::Int ? QString::number(qint64(std::llround(v))) : QString::number(v, 'g', 6);
}

void ThresholdRow::setValue(const QString &text)
{
    QSignalBlocker block(m_spin);
    m_spin->setValue(text.toDouble());
    placeSlider();
}

double ThresholdRow::value() const
{
    return m_spin->value();
}

void ThresholdRow::placeSlider()
{
    QSignalBlocker block(m_slider);
    const double t = toPlot(m_spin->value(), m_log);
    m_slider->setValue(m_hi > m_lo ? int(std::lround((t - m_lo) / (m_hi - m_lo) * kSteps)) : 0);
}

void ThresholdRow::onSlider(int position)
{
    double v = fromPlot(m_lo + (m_hi - m_lo) * position / kSteps, m_log);
    if (m_def.kind == SettingDef::Kind::Int)
        v = std::round(v);
    v = std::clamp(v, m_def.min, m_def.max);
    {
        QSignalBlocker block(m_spin);
        m_spin->setValue(v);
    }
    m_plot->setThreshold(v);
    Q_EMIT valueEdited(m_def.key, valueText(v));
}

void ThresholdRow::onSpin(double v)
{
    placeSlider();
    m_plot->setThreshold(v);
    Q_EMIT valueEdited(m_def.key, valueText(v));
}

void ThresholdRow::setOutcome(const LiveDecisions::Outcome &outcome, const QStringList &reasonNames)
{
    const auto &h = outcome.histogram;
    if (!h.edges.empty()) {
        m_log = h.logScale;
        m_lo = toPlot(h.edges.front(), m_log);
        m_hi = toPlot(h.edges.back(), m_log);
        m_plot->setHistogram(h);
        placeSlider();
    }
    m_plot->setVisible(!h.edges.empty());
    const QLocale loc;
    const auto &c = outcome.counts;
    m_last = c;
    // Codes are what the store holds; a curator reads the registry's names.
    const ReasonTable reasonTable = outcome.table == LiveDecisions::Table::Sentences ? ReasonTable::Sentences
                                    : outcome.table == LiveDecisions::Table::Sample  ? ReasonTable::Sample
                                                                                      : ReasonTable::Images;
    QStringList reasons;
    for (size_t k = 0; k < c.byReason.size(); ++k)
        if (c.byReason[k] > 0)
            reasons << QStringLiteral("%1 %2").arg(reasonDisplayName(reasonTable, reasonNames.value(int(k))), loc.toString(c.byReason[k]));
    const QString what = outcome.table == LiveDecisions::Table::Sentences ? QStringLiteral("sentences")
                         : outcome.table == LiveDecisions::Table::Sample ? QStringLiteral("images (after sampling)")
                                                                          : QStringLiteral("images");
    m_counts->setText(QStringLiteral("<span style='color:#286ebe'>kept %1</span> of %2 %3 · dropped %4<br><small>%5</small>")
                          .arg(loc.toString(c.kept), loc.toString(c.total), what, loc.toString(c.total - c.kept),
                               reasons.join(QStringLiteral(", "))));
}

QString ThresholdRow::countsText() const
{
    return m_counts->text();
}

} // namespace rs
