"""Content Builder: assets (emails, content blocks, templates), their categories (folders), the asset
search behind `GET /asset/v1/content/assets` and its query body, and content blocks for rendering."""

from .assets import KIND, AssetService
from .blocks import block_fetcher
from .categories import CATEGORY_KIND, CategoryService

__all__ = ["CATEGORY_KIND", "KIND", "AssetService", "CategoryService", "block_fetcher"]
