#!/usr/bin/env python3
"""The original tool's way of reading ncu's CSV, for bench/ingest.sh to time:
pandas read_csv, the values cleaned to numbers (thousands separators
removed), then the mean of the metrics over all kernels (a groupby on the
details page, a column mean on the raw page). Prints the number of means.

usage: ingest_pandas.py details|raw FILE METRIC..."""
import sys

import pandas as pd


def main():
    page, path, metrics = sys.argv[1], sys.argv[2], sys.argv[3:]
    if page == "details":
        df = pd.read_csv(path)
        df = df[df["Metric Name"].isin(metrics)]
        values = pd.to_numeric(df["Metric Value"].astype(str).str.replace(",", "", regex=False), errors="coerce")
        means = values.groupby(df["Metric Name"]).mean()
    else:
        df = pd.read_csv(path, skiprows=[1], low_memory=False)  # row 2 holds the units
        cols = [m for m in metrics if m in df.columns]
        means = df[cols].apply(
            lambda s: pd.to_numeric(s.astype(str).str.replace(",", "", regex=False), errors="coerce")).mean()
    print(len(means))


if __name__ == "__main__":
    main()
