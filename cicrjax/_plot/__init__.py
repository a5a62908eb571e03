"""Matplotlib figures of simulations and fits (public through `cicrjax.plot`)."""
