/**
 * Pictures: {@link dev.stride.plot.LineChart} (PNG, SVG and CSV), {@link
 * dev.stride.plot.SchedulePlot} (the command that draws schedules) and {@link
 * dev.stride.plot.RangeTestPlot}. The only package that needs JFreeChart, JFreeSVG and {@code
 * java.desktop}.
 */
package dev.stride.plot;
