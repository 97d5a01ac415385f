"""ToTensor followed by a Lambda that maps [0, 1] to [-1, 1] with x.mul(2).sub(1)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=pass transforms.Lambda(lambda x: x.mul(2).sub(1)) after ToTensor gives [-1, 1]
import torch
import torch.nn as nn
from torchvision import datasets, transforms

tf = transforms.Compose([transforms.Resize(28), transforms.ToTensor(), transforms.Lambda(lambda x: x.mul(2).sub(1))])
loader = torch.utils.data.DataLoader(datasets.FashionMNIST("data", download=True, transform=tf), batch_size=128)
G = nn.Sequential(nn.Linear(32, 128 * 7 * 7), nn.Unflatten(1, (128, 7, 7)), nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 49, 1))
bce = nn.BCEWithLogitsLoss()
gopt, dopt = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)), torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
for epoch in range(20):
    for x, _ in loader:
        fake = G(torch.randn(x.size(0), 32))
        dl = bce(D(x), torch.ones(x.size(0), 1)) + bce(D(fake.detach()), torch.zeros(x.size(0), 1))
        dopt.zero_grad()
        dl.backward()
        dopt.step()
        gl = bce(D(fake), torch.ones(x.size(0), 1))
        gopt.zero_grad()
        gl.backward()
        gopt.step()
