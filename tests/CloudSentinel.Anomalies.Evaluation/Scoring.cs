namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// Scores the flagged hours of one series against its labels (docs/anomalies.md, "Quality harness"):
/// an event is detected once, however many of its detection hours are flagged, and its delay is the
/// first flagged detection hour − onset; a flag outside every event's ignore span is a false-positive hour.
/// Hours before the series' first hour are not scored.
/// </summary>
public static class Scoring
{
    public static DetectionCounts Score(LabelledSeries series, IReadOnlyList<bool> flagged)
    {
        var counts = new DetectionCounts { ServiceHours = flagged.Count - series.FirstHour };
        var covered = new bool[flagged.Count];
        foreach (var e in series.Events)
        {
            for (var h = e.Onset; h < e.IgnoreUntil; h++) covered[h] = true;
            int? delay = null;
            for (var h = e.Onset; h < e.Onset + e.DetectionHours && delay is null; h++)
            {
                if (flagged[h]) delay = h - e.Onset;
            }

            counts.AddEvent(e.Kind, delay);
        }

        for (var h = series.FirstHour; h < flagged.Count; h++)
        {
            if (flagged[h] && !covered[h]) counts.FalsePositives++;
        }

        return counts;
    }
}
