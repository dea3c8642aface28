"""tutor: exam questions on transfer learning that explain themselves, and labs that really train."""

__version__ = "0.1.0"
