"""Fitting a folder of recordings as a resumable task farm: a manifest of what is done, chunks sent to Dask workers
(an embedded `LocalCluster` or an existing cluster) or run in this process, and one progress bar."""
