"""What exists only for the demo and the tests, apart from the product.

- :mod:`syndicator.demo.siteserver`: serves directories of pages on 127.0.0.1;
- :mod:`syndicator.demo.receivers`: a WordPress-like site and a webhook endpoint
  that record what partners would receive, with injectable faults;
- :mod:`syndicator.demo.bundled`: the bundled sample sites and partners that
  ``syndicator demo`` runs.

A publisher's runs never import this package.
"""
