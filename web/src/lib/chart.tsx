// Apache ECharts with only the parts the console draws (bars and lines on a grid), so the chart
// chunk stays small.
//
// Under automation (navigator.webdriver: the browser tests) the charts draw without animation,
// so a screenshot shows the final bars. Every chart box carries data-chart, data-option (how
// many options it was given) and data-drawn (the last one ECharts finished rendering): a test
// waits for data-drawn === data-option before it looks, and reads data-series (each series'
// name and values as ECharts holds them) to check what the chart shows.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

const animate = typeof navigator === 'undefined' || !navigator.webdriver;

export function Chart({ option, height = 300, testId }: { option: Record<string, unknown>; height?: number; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const given = useRef(0);
  useEffect(() => {
    if (!ref.current) return;
    chart.current = echarts.init(ref.current);
    const resize = new ResizeObserver(() => chart.current?.resize({ animation: { duration: animate ? 300 : 0 } }));
    resize.observe(ref.current);
    return () => {
      resize.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const box = ref.current;
    const c = chart.current;
    if (!box || !c) return;
    const n = ++given.current;
    box.dataset.option = String(n);
    c.off('finished');
    c.on('finished', () => {
      // what ECharts holds and drew, for the tests to read (only under automation)
      if (!animate) {
        const series = (c.getOption().series ?? []) as Array<{ name?: string; data?: unknown[] }>;
        box.dataset.series = JSON.stringify(series.map((s) => ({ name: s.name, data: (s.data ?? []).map(Number) })));
      }
      box.dataset.drawn = String(n);
    });
    c.setOption({ animation: animate, textStyle: { fontFamily: "'Noto Sans SC', sans-serif" }, ...option }, true);
  }, [option]);
  return <div ref={ref} style={{ width: '100%', height }} data-testid={testId} data-chart="" />;
}
