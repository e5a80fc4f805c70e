//! Query results in JSON, byte for byte as Prometheus 3.5 writes them:
//! a vector's or matrix's sample time with three digits of milliseconds
//! only when there are any, its value in Go's `'e'` form below 1e-6 and
//! from 1e21 on; a scalar's and a string's time as Go's `encoding/json`
//! writes a float. Both forms of times read back.

use promlab_core::api::{
    ApiData, ApiResponse, MatrixSeries, Point, QueryResult, StringPoint, VectorSample,
};
use promlab_core::labels::Labels;
use wasm_bindgen_test::wasm_bindgen_test;

fn json(result: QueryResult) -> String {
    ApiResponse::success(ApiData::Query(result)).to_json()
}

fn data(json: &str) -> String {
    format!(r#"{{"status":"success","data":{json}}}"#)
}

/// (time in ms, value) → how a vector sample's `[time, "value"]` reads.
const SAMPLES: &[(i64, f64, &str)] = &[
    (1_767_225_645_000, 6.0, r#"[1767225645,"6"]"#),
    (1_767_225_645_123, 0.5, r#"[1767225645.123,"0.5"]"#),
    (1_767_225_645_100, 1.25, r#"[1767225645.100,"1.25"]"#),
    (1_767_225_645_007, -3.0, r#"[1767225645.007,"-3"]"#),
    (0, 0.0, r#"[0,"0"]"#),
    (-1_500, 2.0, r#"[-1.500,"2"]"#),
    (-500, 2.0, r#"[-0.500,"2"]"#),
    (1_000, 1e-7, r#"[1,"1e-07"]"#),
    (1_000, -2.5e-9, r#"[1,"-2.5e-09"]"#),
    (1_000, 1e-6, r#"[1,"0.000001"]"#),
    (1_000, 1e21, r#"[1,"1e+21"]"#),
    (1_000, 1.5e300, r#"[1,"1.5e+300"]"#),
    (
        1_000,
        123456789012345680000.0,
        r#"[1,"123456789012345680000"]"#,
    ),
    (1_000, f64::NAN, r#"[1,"NaN"]"#),
    (1_000, f64::INFINITY, r#"[1,"+Inf"]"#),
    (1_000, f64::NEG_INFINITY, r#"[1,"-Inf"]"#),
    (i64::MIN, 1.0, r#"[-9223372036854775.808,"1"]"#),
    (i64::MAX, 1.0, r#"[9223372036854775.807,"1"]"#),
];

#[wasm_bindgen_test(unsupported = test)]
fn vector_and_matrix_samples_are_written_as_prometheus_writes_them() {
    let metric = Labels::from_pairs([("job", "a")]);
    for &(t, v, expected) in SAMPLES {
        let vector = json(QueryResult::Vector(vec![VectorSample {
            metric: metric.clone(),
            value: Point { t, v },
        }]));
        assert_eq!(
            vector,
            data(&format!(
                r#"{{"resultType":"vector","result":[{{"metric":{{"job":"a"}},"value":{expected}}}]}}"#
            )),
            "vector sample ({t}, {v})"
        );
        let matrix = json(QueryResult::Matrix(vec![MatrixSeries {
            metric: metric.clone(),
            values: vec![Point { t, v }],
        }]));
        assert_eq!(
            matrix,
            data(&format!(
                r#"{{"resultType":"matrix","result":[{{"metric":{{"job":"a"}},"values":[{expected}]}}]}}"#
            )),
            "matrix sample ({t}, {v})"
        );
    }
}

/// A scalar's time is Go's shortest float (`.1`, not `.100`) and its
/// value Go's `'f'` form even for tiny and huge values.
#[wasm_bindgen_test(unsupported = test)]
fn scalars_and_strings_are_written_as_go_json_writes_them() {
    let cases: &[(i64, f64, &str)] = &[
        (1_767_225_645_000, 6.0, r#"[1767225645,"6"]"#),
        (1_767_225_645_100, 6.0, r#"[1767225645.1,"6"]"#),
        (1_767_225_645_123, 1e-7, r#"[1767225645.123,"0.0000001"]"#),
        (-1_500, 1e21, r#"[-1.5,"1000000000000000000000"]"#),
        (0, f64::NAN, r#"[0,"NaN"]"#),
    ];
    for &(t, v, expected) in cases {
        assert_eq!(
            json(QueryResult::Scalar(Point { t, v })),
            data(&format!(r#"{{"resultType":"scalar","result":{expected}}}"#)),
            "scalar ({t}, {v})"
        );
    }
    assert_eq!(
        json(QueryResult::String(StringPoint {
            t: 1_767_225_645_100,
            v: "x".into()
        })),
        data(r#"{"resultType":"string","result":[1767225645.1,"x"]}"#)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn both_forms_of_times_read_back() {
    for text in [
        r#"[1767225645,"6"]"#,
        r#"[1767225645.0,"6"]"#,
        r#"[1767225645.000,"6"]"#,
    ] {
        let p: Point = serde_json::from_str(text).unwrap();
        assert_eq!(
            p,
            Point {
                t: 1_767_225_645_000,
                v: 6.0
            },
            "{text}"
        );
    }
    let p: Point = serde_json::from_str(r#"[1767225645.120,"1e-07"]"#).unwrap();
    assert_eq!(
        p,
        Point {
            t: 1_767_225_645_120,
            v: 1e-7
        }
    );
    // What is written reads back.
    for &(t, v, _) in SAMPLES {
        let text = serde_json::to_string(&Point { t, v }).unwrap();
        let back: Point = serde_json::from_str(&text).unwrap();
        // Times beyond 2^53 ms lose precision as floats, as in Prometheus.
        if t.unsigned_abs() < 1 << 53 {
            assert_eq!(back.t, t, "{text}");
        }
        assert!(back.v == v || (back.v.is_nan() && v.is_nan()), "{text}");
    }
}
