"""Page to article: decode, signals, trafilatura, metadata, the article decision, cleaning."""
