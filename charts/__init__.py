"""Charts of the stored history (draw cut-offs, the Express Entry pool, processing times, IEC
pools), drawn with matplotlib for the bot (PNG photos) and the review page (SVG).

``charts.pick`` chooses and prepares a chart from a request's words; ``charts.series`` reads
the figures, ``charts.make`` adds captions, ``charts.draw`` draws (the only matplotlib user).
"""
