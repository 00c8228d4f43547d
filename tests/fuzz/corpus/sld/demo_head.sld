<?xml version="1.0" encoding="UTF-8"?>
<!--
  binhduong_demo.sld: the default look of the demo layers (tiled demo), one NamedLayer per
  layer: zoning, green_spaces, industrial_parks, roads, districts. SLD 1.0 (CssParameter).
  Compiled into the tiled binary (styles/embed.cmake); sty_style_builtin() parses it.

  The cartography is that of ../shared/bench/styles/binhduong.sld (the reference rig):
  conventional Vietnamese planning land-use colours by zone_code, OGC 0.28 mm scale
  denominators, zoom boundaries z11|12 193000, z12|13 96500, z13|14 48250, z15|16 12060.
  Differences: the text rules sit in a last FeatureTypeStyle "<layer>_labels" of each
  layer (tiled places all labels after all layers anyway), and roads get names along
  the line from z16.
-->
<StyledLayerDescriptor version="1.0.0"
    xmlns="http://www.opengis.net/sld"
    xmlns:ogc="http://www.opengis.net/ogc"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
  <Name>binhduong</Name>
  <Title>Binh Duong zoning benchmark</Title>
  <NamedLayer>
    <Name>zoning</Name>
    <UserStyle>
      <Name>binhduong_zoning</Name>
      <Title>Zoning parcels by zone_code</Title>
      <FeatureTypeStyle>
        <Rule>
          <Name>R1 z0-z13</Name>
          <Title>Residential, low density (Đất ở mật độ thấp)</Title>
          <ogc:Filter>
            <ogc:PropertyIsEqualTo>
              <ogc:PropertyName>zone_code</ogc:PropertyName>
              <ogc:Literal>R1</ogc:Literal>
            </ogc:PropertyIsEqualTo>
          </ogc:Filter>
          <MinScaleDenominator>48250</MinScaleDenominator>
          <PolygonSymbolizer>
            <Fill>
              <CssParameter name="fill">#f7e08b</CssParameter>
            </Fill>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>R1 z14-z15</Name>
          <Title>Residential, low density (Đất ở mật độ thấp)</Title>
          <ogc:Filter>
            <ogc:PropertyIsEqualTo>
              <ogc:PropertyName>zone_code</ogc:PropertyName>
              <ogc:Literal>R1</ogc:Literal>
            </ogc:PropertyIsEqualTo>
          </ogc:Filter>
          <MinScaleDenominator>12060</MinScaleDenominator>
          <MaxScaleDenominator>48250</MaxScaleDenominator>
          <PolygonSymbolizer>
            <Fill>
              <CssParameter name="fill">#f7e08b</CssParameter>
            </Fill>
            <Stroke>
              <CssParameter name="stroke">#c9ac4f</CssParameter>
              <CssParameter name="stroke-width">0.5</CssParameter>
              <CssParameter name="stroke-linecap">round</CssParameter>
              <CssParameter name="stroke-linejoin">bevel</CssParameter>
            </Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>R1 z16+</Name>
          <Title>Residential, low density (�