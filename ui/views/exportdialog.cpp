#include "ui/views/exportdialog.h"

#include "core/store/projectstore.h"
#include "core/store/samplequery.h"
#include "ui/models/projectsession.h"

#if __has_include("core/export/exporter.h")
#include "core/export/exporter.h"
#include "core/export/parquetwriter.h"
#define RS_HAVE_EXPORT 1
#else
#define RS_HAVE_EXPORT 0
#endif

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QVBoxLayout>

#include <memory>

namespace rs {

bool ExportDialog::isAvailable()
{
    return RS_HAVE_EXPORT != 0;
}

ExportDialog::ExportDialog(ProjectSession *session, QWidget *parent) : QDialog(parent), m_session(session)
{
    setWindowTitle(QStringLiteral("Export"));
    m_format = new QComboBox(this);
#if RS_HAVE_EXPORT
    m_format->addItems(exportFormats());
#endif
    m_format->setToolTip(QStringLiteral("wds: WebDataset shards as RealSyn released them · csv: open_clip · jsonl: every text and score · llava: LLaVA conversations"
                                        " · parquet: RealSyn's released columns plus ours, for Hugging Face datasets, DuckDB, pandas, Spark"));
    m_out = new QLineEdit(this);
    auto *browse = new QPushButton(QStringLiteral("Browse…"), this);
    m_val = new QDoubleSpinBox(this);
    m_val->setRange(0, 0.9);
    m_val->setSingleStep(0.05);
    m_val->setToolTip(QStringLiteral("Fraction held out in val/ (seeded); 0 = no split"));
    m_shard = new QSpinBox(this);
    m_shard->setRange(1, 10000000);
    m_shard->setValue(10000);
    m_shard->setToolTip(QStringLiteral("WebDataset: samples per shard"));
    m_force = new QCheckBox(QStringLiteral("Replace an existing folder"), this);
    m_compression = new QComboBox(this);
#if RS_HAVE_EXPORT
    m_compression->addItems(parquetCompressions());
#endif
    m_compression->setToolTip(QStringLiteral("Parquet: snappy (every reader has it), zstd (smaller) or none"));
    m_noImages = new QCheckBox(QStringLiteral("Text only (no image files)"), this);
    m_noImages->setToolTip(QStringLiteral("Parquet and JSONL: write the rows without the images; width, height and sha256 then describe the source images"));
    m_counts = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_result = new QLabel(this);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *outRow = new QHBoxLayout;
    outRow->addWidget(m_out, 1);
    outRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Format"), m_format);
    form->addRow(QStringLiteral("Destination"), outRow);
    form->addRow(QStringLiteral("Validation split"), m_val);
    form->addRow(QStringLiteral("Shard size"), m_shard);
    form->addRow(QStringLiteral("Compression"), m_compression);
    form->addRow(QString(), m_noImages);
    form->addRow(QString(), m_force);
    form->addRow(QStringLiteral("Will export"), m_counts);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_start = buttons->addButton(QStringLiteral("Export"), QDialogButtonBox::AcceptRole);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_result);
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, [this]() {
        const QString d = QFileDialog::getSaveFileName(this, QStringLiteral("Export folder"));
        if (!d.isEmpty())
            m_out->setText(d);
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_start, &QPushButton::clicked, this, &ExportDialog::start);
    connect(m_session->runner(), &JobRunner::progress, this, [this](const JobProgress &p) {
        if (p.job != QLatin1String("export"))
            return;
        m_progress->setRange(0, int(std::min<qint64>(p.total, 1 << 30)));
        m_progress->setValue(int(std::min<qint64>(p.done, 1 << 30)));
    });
    // Options only where the format has them.
    auto formatChanged = [this]() {
        const QString f = m_format->currentText();
        m_compression->setEnabled(f == QLatin1String("parquet"));
        m_noImages->setEnabled(f == QLatin1String("parquet") || f == QLatin1String("jsonl"));
        m_shard->setEnabled(f == QLatin1String("wds"));
    };
    connect(m_format, &QComboBox::currentTextChanged, this, formatChanged);
    formatChanged();
    countSelection();
    m_start->setEnabled(isAvailable() && m_session->isOpen());
}

void ExportDialog::setImageIds(const QVector<qint64> &ids, const QString &origin)
{
    m_ids = ids;
    m_idsOrigin = origin;
    setWindowTitle(ids.isEmpty() ? QStringLiteral("Export") : QStringLiteral("Export %1").arg(origin));
    countSelection();
}

void ExportDialog::countSelection()
{
    if (!m_session->store()) {
        m_counts->setText(QStringLiteral("no project open"));
        return;
    }
    const QLocale loc;
    if (!m_ids.isEmpty()) {
        // The exporter keeps only chosen images that are in the selection;
        // say how many that is before the curator presses Export.
        auto selected = sampleIds(*m_session->store(), SampleFilter::Selected);
        if (!selected) {
            m_counts->setText(selected.error().toString());
            return;
        }
        const QSet<qint64> chosen(m_ids.cbegin(), m_ids.cend());
        qint64 in = 0;
        for (qint64 id : *selected)
            in += chosen.contains(id) ? 1 : 0;
        m_counts->setText(QStringLiteral("%1 of the %2 images in %3 (the others are not in the selection: rejected or not sampled)")
                              .arg(loc.toString(in), loc.toString(qint64(chosen.size())), m_idsOrigin));
        return;
    }
    auto n = m_session->store()->scalar(QStringLiteral("SELECT count(*) FROM images i LEFT JOIN decisions d ON d.image_id = i.id WHERE ")
                                        + selectedCondition());
    m_counts->setText(n ? QStringLiteral("%1 selected samples (kept by the filters, sampled, curator decisions applied)")
                              .arg(loc.toString(n->toLongLong()))
                        : n.error().toString());
}

void ExportDialog::start()
{
#if RS_HAVE_EXPORT
    ExportOptions o;
    o.format = m_format->currentText();
    o.outDir = m_out->text().trimmed();
    o.valFraction = m_val->value();
    o.shardSize = m_shard->value();
    o.force = m_force->isChecked();
    o.compression = m_compression->currentText();
    o.images = !(m_noImages->isEnabled() && m_noImages->isChecked());
    o.ids = m_ids;
    if (o.outDir.isEmpty()) {
        m_result->setText(QStringLiteral("Choose a destination folder."));
        return;
    }
    const Recipe recipe = m_session->recipe();
    auto report = std::make_shared<ExportReport>();
    const bool started = m_session->runJob(QStringLiteral("export"), [o, recipe, report](ProjectStore *store, JobContext &ctx) -> Status {
        auto r = exportSelection(*store, recipe, o, ctx);
        if (!r)
            return r.error();
        *report = r.value();
        return {};
    });
    if (!started) {
        m_result->setText(QStringLiteral("Another job is running; try again when it has finished."));
        return;
    }
    m_start->setEnabled(false);
    m_result->setText(QStringLiteral("Exporting…"));
    auto *conn = new QMetaObject::Connection;
    *conn = connect(m_session->runner(), &JobRunner::finished, this, [this, report, conn](const QString &job, const Status &s) {
        if (job != QLatin1String("export"))
            return;
        disconnect(*conn);
        delete conn;
        m_start->setEnabled(true);
        const QLocale loc;
        m_result->setText(s ? QStringLiteral("Exported %1 samples (train %2, val %3, skipped %4): %5 files, %6 into %7")
                                  .arg(loc.toString(report->samples), loc.toString(report->train), loc.toString(report->val),
                                       loc.toString(report->skipped), loc.toString(report->files), loc.formattedDataSize(report->bytes),
                                       report->outDir)
                                  + (report->outsideSelection > 0
                                         ? QStringLiteral(" (%1 chosen images are not in the selection and were left out)")
                                               .arg(loc.toString(report->outsideSelection))
                                         : QString())
                            : QStringLiteral("Export failed: ") + s.error().toString());
    });
#endif
}

} // namespace rs
