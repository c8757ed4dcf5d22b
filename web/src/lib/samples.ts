// Sample code for calling a product with an AppCode (the seed's 请求示例: curl, Java, C#, PHP,
// Python, ObjectC, 微信小程序 JS), plus Node/TypeScript. The buyer's AppCode is filled in when
// the page knows it.
export const SAMPLE_LANGS = ['curl', 'Java', 'C#', 'PHP', 'Python', 'ObjectC', '微信小程序', 'Node/TS'] as const;
export type SampleLang = (typeof SAMPLE_LANGS)[number];

export interface SampleInput {
  host: string;
  path: string;
  appCode: string;
}

export function sampleCode(lang: SampleLang, { host, path, appCode }: SampleInput): string {
  const url = `${host}${path}`;
  switch (lang) {
    case 'curl':
      return `curl -i -X POST '${url}' \\
  -H 'Authorization: APPCODE ${appCode}' \\
  -H 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8' \\
  --data-urlencode "image=$(base64 -w0 idcard.jpg)"`;
    case 'Java':
      return `import java.net.URI;
import java.net.URLEncoder;
import java.net.http.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.Base64;

public class OcrIdCard {
    public static void main(String[] args) throws Exception {
        String appcode = "${appCode}"; // 替换为自己的 AppCode
        String image = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of("idcard.jpg")));
        String body = "image=" + URLEncoder.encode(image, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("${url}"))
            .header("Authorization", "APPCODE " + appcode) // 格式为 Authorization: APPCODE xxx
            .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode() + " " + response.headers().firstValue("X-Ca-Error-Message").orElse(""));
        System.out.println(response.body());
    }
}`;
    case 'C#':
      return `using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;

var appcode = "${appCode}"; // 替换为自己的 AppCode
var image = Convert.ToBase64String(File.ReadAllBytes("idcard.jpg"));
using var client = new HttpClient();
var request = new HttpRequestMessage(HttpMethod.Post, "${url}");
request.Headers.TryAddWithoutValidation("Authorization", "APPCODE " + appcode);
request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["image"] = image });
var response = await client.SendAsync(request);
Console.WriteLine((int)response.StatusCode);
Console.WriteLine(await response.Content.ReadAsStringAsync());`;
    case 'PHP':
      return `<?php
$appcode = "${appCode}"; // 替换为自己的 AppCode
$image = base64_encode(file_get_contents("idcard.jpg"));
$curl = curl_init("${url}");
curl_setopt_array($curl, [
    CURLOPT_POST => true,
    CURLOPT_HTTPHEADER => [
        "Authorization: APPCODE " . $appcode,
        "Content-Type: application/x-www-form-urlencoded; charset=UTF-8",
    ],
    CURLOPT_POSTFIELDS => http_build_query(["image" => $image]),
    CURLOPT_RETURNTRANSFER => true,
]);
$body = curl_exec($curl);
echo curl_getinfo($curl, CURLINFO_HTTP_CODE), "\\n", $body, "\\n";`;
    case 'Python':
      return `import base64
import urllib.parse
import urllib.request

appcode = "${appCode}"  # 替换为自己的 AppCode
with open("idcard.jpg", "rb") as f:
    image = base64.b64encode(f.read()).decode()
data = urllib.parse.urlencode({"image": image}).encode()
request = urllib.request.Request("${url}", data=data, method="POST")
request.add_header("Authorization", "APPCODE " + appcode)
request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
try:
    with urllib.request.urlopen(request) as response:
        print(response.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.headers.get("X-Ca-Error-Message"))`;
    case 'ObjectC':
      return `NSString *appcode = @"${appCode}"; // 替换为自己的 AppCode
NSData *imageData = [NSData dataWithContentsOfFile:@"idcard.jpg"];
NSString *image = [imageData base64EncodedStringWithOptions:0];
NSCharacterSet *allowed = [NSCharacterSet characterSetWithCharactersInString:@"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"];
NSString *body = [@"image=" stringByAppendingString:[image stringByAddingPercentEncodingWithAllowedCharacters:allowed]];
NSMutableURLRequest *request = [NSMutableURLRequest requestWithURL:[NSURL URLWithString:@"${url}"]];
request.HTTPMethod = @"POST";
[request addValue:[@"APPCODE " stringByAppendingString:appcode] forHTTPHeaderField:@"Authorization"];
[request addValue:@"application/x-www-form-urlencoded; charset=UTF-8" forHTTPHeaderField:@"Content-Type"];
request.HTTPBody = [body dataUsingEncoding:NSUTF8StringEncoding];
NSURLSessionDataTask *task = [[NSURLSession sharedSession] dataTaskWithRequest:request
    completionHandler:^(NSData *data, NSURLResponse *response, NSError *error) {
        NSLog(@"%ld %@", (long)((NSHTTPURLResponse *)response).statusCode,
              [[NSString alloc] initWithData:data encoding:NSUTF8StringEncoding]);
    }];
[task resume];`;
    case '微信小程序':
      return `// 小程序：选择图片后识别（请在后台把 ${host} 加入 request 合法域名）
const appcode = '${appCode}'; // 替换为自己的 AppCode；正式环境请经自己的服务端转发，不要把 AppCode 放进小程序包

wx.chooseMedia({ count: 1, mediaType: ['image'] }).then(({ tempFiles }) => {
  const image = wx.getFileSystemManager().readFileSync(tempFiles[0].tempFilePath, 'base64');
  wx.request({
    url: '${url}',
    method: 'POST',
    header: { Authorization: 'APPCODE ' + appcode, 'content-type': 'application/x-www-form-urlencoded' },
    data: { image },
    success: (res) => console.log(res.statusCode, res.data),
  });
});`;
    case 'Node/TS':
      return `import { readFile } from 'node:fs/promises';

const appcode = process.env.APPCODE ?? '${appCode}'; // 替换为自己的 AppCode
const image = (await readFile('idcard.jpg')).toString('base64');
const response = await fetch('${url}', {
  method: 'POST',
  headers: { Authorization: \`APPCODE \${appcode}\`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ image }),
});
console.log(response.status, response.headers.get('x-ca-error-message') ?? '');
console.log(await response.json());`;
  }
}
