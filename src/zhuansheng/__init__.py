"""转升 (Zhuansheng): monitoring and evaluation of Zhejiang's traditional-manufacturing programme.

The public API is small; each area lives in its own subpackage (``zhuansheng.reference``,
``zhuansheng.programme``, ``zhuansheng.store``, ``zhuansheng.lake``, ``zhuansheng.demo``).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
